#include "idp/common/err.h"

const char *
idp_err_name(int err)
{
	switch ((enum idp_err)err) {
	case IDP_OK:
		return "ok";
	case IDP_ERR_NOMEM:
		return "out of memory";
	case IDP_ERR_INVALID:
		return "invalid input";
	case IDP_ERR_TOO_LARGE:
		return "input too large";
	case IDP_ERR_UNAVAILABLE:
		return "service unavailable";
	case IDP_ERR_INTERNAL:
		return "internal error";
	case IDP_ERR_IO:
		return "i/o error";
	}
	return "unknown error";
}
