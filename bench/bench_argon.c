/* The Argon2id ceiling of the password benchmarks (bench.h). */
#include "idp/crypto/crypt.h"

#include "bench.h"

double
bench_argon_rate(unsigned ops, size_t mem, bool verify)
{
	char hash[CRYPT_PWHASH_STRBYTES];
	unsigned n = 0;

	if (crypt_password_hash("benchmark-password", ops, mem, hash) != 0)
		return 0;
	double t0 = bench_now();
	while (bench_now() - t0 < 3.0) {
		if (verify) {
			if (!crypt_password_verify(hash, "benchmark-password"))
				return 0;
		} else if (crypt_password_hash("benchmark-password", ops, mem,
					       hash) != 0) {
			return 0;
		}
		n++;
	}
	return n / (bench_now() - t0);
}
