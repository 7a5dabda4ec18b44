/*
 * Helpers shared by the outbox tests (test_mail_outbox.c, test_mail_file.c):
 * databases, stores, configs, enqueueing in a transaction and waiting on
 * the table. Include after cmocka.h.
 */
#ifndef TESTS_MAIL_OUTBOX_TEST_H
#define TESTS_MAIL_OUTBOX_TEST_H

#include <glib.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "idp/mail/mail.h"
#include "idp/store/store.h"
#include "mail_test.h"
#include "testdb.h"

#define FROM "Servicekonto Bürgerportal <noreply@example.de>"

/* A fresh, migrated database; its conninfo (owned by testdb). */
static inline const char *
migrated_db(void)
{
	const char *db = testdb_create();
	char err[256];
	int applied;

	if (store_migrate(db, NULL, NULL, &applied, err, sizeof(err)) != 0)
		fail_msg("migrate: %s", err);
	return db;
}

static inline struct store *
connected_store(const char *db)
{
	struct store *s = store_new(db, 3, 5000);

	assert_non_null(s);
	if (store_ensure(s) != 0)
		fail_msg("store: %s", store_error_peek(s));
	return s;
}

/* Test timing: retries in a fraction of a second. */
static inline struct mail_sender_params
fast(void)
{
	struct mail_sender_params p;

	mail_sender_params_default(&p);
	p.poll_ms = 100;
	p.backoff_base_ms = 200;
	p.backoff_max_ms = 400;
	return p;
}

static inline struct mail_sender *
sender(const struct cfg *cfg, const struct mail_sender_params *p)
{
	struct mail_sender *ms = NULL;

	assert_int_equal(mail_sender_new(cfg, p, &ms), 0);
	assert_non_null(ms);
	return ms;
}

static inline char *
smtp_url(unsigned port)
{
	return g_strdup_printf("IDP_MAIL_SMTP_URL=smtp://127.0.0.1:%u", port);
}

/* A config for SMTP to 127.0.0.1:@port, plain, with @extra settings. */
static inline struct cfg *
smtp_cfg(const char *db, unsigned port, const char *extra)
{
	char *url = smtp_url(port);
	const char *env[] = {
		"IDP_MAIL_MODE=smtp",  url,   "IDP_MAIL_SMTP_STARTTLS=false",
		"IDP_MAIL_FROM=" FROM, extra, NULL};
	struct cfg *cfg = mt_cfg(db, env);

	g_free(url);
	return cfg;
}

struct mail {
	const char *to, *subject, *body;
	int ret;   /* what the callback returns after mail_enqueue() */
	int count; /* mails to enqueue; subjects get " #n" when > 1 */
};

static inline int
enqueue_cb(struct store *s, void *cls)
{
	const struct mail *m = cls;
	int rc = STORE_ONE_ROW;

	for (int i = 0; i < (m->count > 0 ? m->count : 1) && rc >= 0; i++) {
		char *subject =
			m->count > 1 ? g_strdup_printf("%s #%d", m->subject, i)
				     : g_strdup(m->subject);

		rc = mail_enqueue(s, m->to, subject, m->body);
		g_free(subject);
	}
	if (rc < 0)
		return rc;
	return m->ret;
}

static inline int
enqueue(struct store *s, const char *to, const char *subject, const char *body,
	bool commit)
{
	struct mail m = {to, subject, body,
			 commit ? STORE_ONE_ROW : STORE_HARD_ERROR, 1};

	return store_run_tx(s, "test_mail", false, enqueue_cb, &m);
}

static inline void
assert_query(PGconn *c, const char *sql, const char *want)
{
	char *v = mt_query(c, sql);

	if (strcmp(v, want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", sql, v, want);
	free(v);
}

static inline void
wait_for(PGconn *c, const char *sql, const char *want, int timeout_ms)
{
	if (!mt_wait(c, sql, want, timeout_ms)) {
		char *v = mt_query(c, "SELECT string_agg(format('id=%s "
				      "attempts=%s sent=%s failed=%s "
				      "error=%s', id, attempts, sent_at, "
				      "failed_at, last_error), E'\\n') "
				      "FROM mail_outbox");

		fail_msg("timed out waiting for %s = %s; outbox:\n%s", sql,
			 want, v);
	}
}

static inline void
assert_contains(const char *hay, const char *needle)
{
	if (hay == NULL)
		fail_msg("missing \"%s\" in nothing", needle);
	else if (strstr(hay, needle) == NULL)
		fail_msg("missing \"%s\" in:\n%s", needle, hay);
}

static inline size_t
occurrences(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static const char *const utf8_subject =
	"Bestätigen Sie Ihre E-Mail-Adresse – Servicekonto";
static const char *const utf8_body =
	"Guten Tag,\n\nbitte bestätigen Sie Ihre Adresse:\n"
	"https://idp.example.de/register/verify?token="
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&lang=de\n"
	".\nGrüße\n";

#endif
