/*
 * Return codes shared by every module: 0 is success, negative is failure.
 * The named codes are the failures a caller is expected to tell apart.
 */
#ifndef TR_UTIL_ERRORS_H
#define TR_UTIL_ERRORS_H

enum {
	TR_OK = 0,
	TR_ERROR = -1,        /* anything else; details are in the diagnostics */
	TR_ENOTFOUND = -2,    /* a named thing does not exist */
	TR_EINVALID = -3,     /* input broke a rule; details in the diagnostics */
	TR_ECONFLICT = -4,    /* the world is not in the state we expected */
	TR_ETOOLARGE = -5,    /* a cap from limits.h was reached */
	TR_EAUTH = -6,        /* credentials missing or refused */
	TR_ETHROTTLED = -7,   /* the remote side asked us to slow down */
	TR_EUNSUPPORTED = -8, /* valid input that trellis cannot express */
	TR_EIO = -9,          /* the operating system or network failed */
	TR_EREFUSED = -10     /* refused on purpose (dry-run gate, safety) */
};

#define TR_MUST_CHECK __attribute__((warn_unused_result))

#endif
