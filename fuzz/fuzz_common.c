/*
 * One-time setup of the fuzz targets; see fuzz_common.h.
 */
#include <stdlib.h>

#include "fuzz/fuzz_common.h"
#include "idp/log/log.h"
#include "idp/saml/saml_sp.h"

void
fuzz_setup(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	/* FUZZ_LOG=1 shows why inputs are refused (to check the seeds). */
	log_set_level(getenv("FUZZ_LOG") != NULL ? LOG_LEVEL_INFO
						 : LOG_LEVEL_ERROR);
	/* Also keeps lasso's own messages out (they go to log_kv at debug). */
	if (saml_init() != 0)
		abort();
}
