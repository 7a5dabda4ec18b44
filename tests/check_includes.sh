#!/bin/sh
# Each external library has one home (STYLE.md): fail when a header of
# libmicrohttpd, lasso, libpq or libsodium is included outside its folders.
set -u
top=${1:?usage: check_includes.sh SOURCE_ROOT}
cd "$top" || exit 2
fail=0
check() { # pattern, allowed folders (regex on the path)
	hits=$(grep -rlE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($1)" \
		idp keys --include='*.c' --include='*.h' 2>/dev/null |
		grep -vE "^($2)" || true)
	if [ -n "$hits" ]; then
		echo "FAIL: $1 included outside $2:"
		echo "$hits" | sed 's/^/  /'
		fail=1
	else
		echo "ok: $1 only in $2"
	fi
}
check 'microhttpd\.h' 'idp/http/'
check 'lasso/' 'idp/saml/|idp/eid/'
check 'libpq-fe\.h|libpq/' 'idp/store/'
# libsodium: key material lives in idp/crypto and keys/; the HTTP layer
# takes random request ids and idpd/idpctl call sodium_init().
check 'sodium\.h|sodium/' 'idp/crypto/|keys/|idp/http/|idp/main/'
# OpenSSL: key generation and certificates in keys/; the SAML and eID
# modules (lasso's xmlsec backend) may need its types.
check 'openssl/' 'keys/|idp/saml/|idp/eid/'
exit $fail
