/* SPDX-License-Identifier: BSD-2-Clause */
/* The parameters of a run as the modules read them: only types, so that
 * the modules config.c validates with can use them without config.h. */
#ifndef LI_PARAMS_H
#define LI_PARAMS_H

#include <stdint.h>
#include <sys/time.h>

#include <lber.h>

#include "ldapinterrupt.h"

typedef enum li_optype {
	LI_OP_SEARCH,
	LI_OP_COMPARE,
	LI_OP_DELETE,
	LI_OP_MODRDN,
	LI_OP_ADD,
	LI_OP_MODIFY,
	LI_OP_EXOP,
	LI_OP_NONE, /* --msgid: interrupt a message ID, send no operation */
} li_optype;

typedef enum li_ctrlkind {
	LI_CTRL_GENERIC,
	LI_CTRL_ASSERT,
	LI_CTRL_ATTRLIST, /* preread, postread */
	/* from here on, -E's search extensions: searches only */
	LI_CTRL_SYNC,
	LI_CTRL_BOOL,     /* subentries */
	LI_CTRL_FLAG,     /* no value: domainScope, showDeleted, ... */
	LI_CTRL_SSS,      /* text: the sort keys, space-separated */
	LI_CTRL_VLV,      /* n: before, after, offset, count; or text: the value */
	LI_CTRL_DEREF,    /* text: derefAttr:attr,...;... */
	LI_CTRL_MV,       /* text: the ValuesReturnFilter */
	LI_CTRL_PS,       /* n: changeTypes, changesOnly, returnECs */
	LI_CTRL_EXTDN,    /* flag */
	LI_CTRL_DIRSYNC,  /* n: flags, maxAttrCount; value: the cookie */
	LI_CTRL_PAGED,    /* pr: lib/engine/paging.c */
} li_ctrlkind;

/* One -e or -E request control, as given; encoded once the session exists
 * (an assertion needs libldap's filter encoder). */
typedef struct li_ctrlspec {
	li_ctrlkind kind;
	const char *oid;
	int critical;
	char *text;             /* filter, attribute list, sync cookie */
	struct berval value;    /* generic: decoded value; bv_val NULL if none */
	int has_value;
	int mode;               /* sync: 1 refreshOnly, 3 refreshAndPersist */
	int flag;               /* bool controls */
	long n[4];              /* the numbers of vlv, ps, dirSync */
	int page_size;          /* pr */
} li_ctrlspec;

#define LI_MAX_CTRLS 16

/* One -o option of ldap.conf(5), checked (lib/engine/ldapconf.c). */
typedef struct li_ldapopt {
	const char *name; /* ldapconf.c's own spelling */
	char *value;
} li_ldapopt;

#define LI_MAX_LDAPOPTS 48

struct li_params {
	li_interrupt interrupt;
	char *name;          /* the caller's name: JSON "tool", libldap's complaints */

	/* connection and credentials, as ldapsearch(1) */
	char *uri;
	int auth_simple;
	int auth_sasl;
	char *binddn;
	char *passwd;        /* copied from the caller; wiped after bind */
	size_t passwd_len;
	char *sasl_mech, *sasl_authcid, *sasl_authzid, *sasl_realm, *sasl_secprops;
	unsigned sasl_flags;
	int sasl_nocanon;
	int starttls;        /* li_tls */
	int debug;
	int nettimeout_set;
	struct timeval nettimeout;
	li_ldapopt ldapopts[LI_MAX_LDAPOPTS];
	int nldapopts;

	/* the operation */
	li_optype op;
	long long target_msgid; /* LI_OP_NONE */
	char *base;
	int scope;
	int deref;
	int sizelimit, timelimit;
	int attrsonly;
	char *filter;
	char **attrs;
	char *dn, *newrdn, *newsup;
	char *cmp_attr;
	struct berval cmp_value;
	char *ldif_file;        /* the LDIF record's name, for messages */
	char *ldif_text;
	char *exop_oid;
	struct berval exop_value;
	int exop_has_value;
	li_ctrlspec ctrls[LI_MAX_CTRLS];
	int nctrls;

	/* the trigger and the listening window */
	int64_t after_us;        /* LI_NEVER for "never" */
	long long after_entries; /* -1: not set */
	int after_given;
	int64_t wait_us;         /* set by li_params_check unless wait_given */
	int wait_given;
	int64_t timeout_us;      /* LI_NEVER: none */
	int interrupt_late;      /* li_params_set_interrupt_late */

	char *audit_base;        /* the entry an audit may write; NULL: none */
	const li_audit_hooks *audit_hooks; /* the caller's; NULL: none */

	li_prompt_fn prompt;
	li_sasl_prompt_fn sasl_prompt;
	void *prompt_arg;
};

#endif
