/* SPDX-License-Identifier: BSD-2-Clause */
#include "names.h"

#include <string.h>
#include <strings.h>

#include <ldap.h>

static const struct {
	ber_tag_t tag;
	const char *name;
} ops[] = {
	{ LDAP_REQ_BIND, "BindRequest" },
	{ LDAP_RES_BIND, "BindResponse" },
	{ LDAP_REQ_UNBIND, "UnbindRequest" },
	{ LDAP_REQ_SEARCH, "SearchRequest" },
	{ LDAP_RES_SEARCH_ENTRY, "SearchResultEntry" },
	{ LDAP_RES_SEARCH_RESULT, "SearchResultDone" },
	{ LDAP_RES_SEARCH_REFERENCE, "SearchResultReference" },
	{ LDAP_REQ_MODIFY, "ModifyRequest" },
	{ LDAP_RES_MODIFY, "ModifyResponse" },
	{ LDAP_REQ_ADD, "AddRequest" },
	{ LDAP_RES_ADD, "AddResponse" },
	{ LDAP_REQ_DELETE, "DelRequest" },
	{ LDAP_RES_DELETE, "DelResponse" },
	{ LDAP_REQ_MODDN, "ModifyDNRequest" },
	{ LDAP_RES_MODDN, "ModifyDNResponse" },
	{ LDAP_REQ_COMPARE, "CompareRequest" },
	{ LDAP_RES_COMPARE, "CompareResponse" },
	{ LDAP_REQ_ABANDON, "AbandonRequest" },
	{ LDAP_REQ_EXTENDED, "ExtendedRequest" },
	{ LDAP_RES_EXTENDED, "ExtendedResponse" },
	{ LDAP_RES_INTERMEDIATE, "IntermediateResponse" },
};

const char *li_op_name(ber_tag_t tag)
{
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (ops[i].tag == tag)
			return ops[i].name;
	return NULL;
}

static const struct {
	int code;
	const char *name;
} results[] = {
	{ 0, "success" }, { 1, "operationsError" }, { 2, "protocolError" }, { 3, "timeLimitExceeded" },
	{ 4, "sizeLimitExceeded" }, { 5, "compareFalse" }, { 6, "compareTrue" },
	{ 7, "authMethodNotSupported" }, { 8, "strongerAuthRequired" }, { 10, "referral" },
	{ 11, "adminLimitExceeded" }, { 12, "unavailableCriticalExtension" },
	{ 13, "confidentialityRequired" }, { 14, "saslBindInProgress" }, { 16, "noSuchAttribute" },
	{ 17, "undefinedAttributeType" }, { 18, "inappropriateMatching" }, { 19, "constraintViolation" },
	{ 20, "attributeOrValueExists" }, { 21, "invalidAttributeSyntax" }, { 32, "noSuchObject" },
	{ 33, "aliasProblem" }, { 34, "invalidDNSyntax" }, { 36, "aliasDereferencingProblem" },
	{ 48, "inappropriateAuthentication" }, { 49, "invalidCredentials" },
	{ 50, "insufficientAccessRights" }, { 51, "busy" }, { 52, "unavailable" },
	{ 53, "unwillingToPerform" }, { 54, "loopDetect" }, { 64, "namingViolation" },
	{ 65, "objectClassViolation" }, { 66, "notAllowedOnNonLeaf" }, { 67, "notAllowedOnRDN" },
	{ 68, "entryAlreadyExists" }, { 69, "objectClassModsProhibited" },
	{ 71, "affectsMultipleDSAs" }, { 80, "other" }, { 118, "canceled" }, { 119, "noSuchOperation" },
	{ 120, "tooLate" }, { 121, "cannotCancel" }, { 122, "assertionFailed" },
	{ 123, "authorizationDenied" }, { 4096, "e-syncRefreshRequired" },
	{ 16654, "noOperation" },
	/* libldap's own codes (ldap.h), for failures on the client's side;
	 * never on the wire: a resultCode there is 0 or more. The names are
	 * ldap.h's, as RFC 1823 spells its codes. */
	{ LDAP_SERVER_DOWN, "serverDown" }, { LDAP_LOCAL_ERROR, "localError" },
	{ LDAP_ENCODING_ERROR, "encodingError" }, { LDAP_DECODING_ERROR, "decodingError" },
	{ LDAP_TIMEOUT, "timeout" }, { LDAP_AUTH_UNKNOWN, "authUnknown" },
	{ LDAP_FILTER_ERROR, "filterError" }, { LDAP_USER_CANCELLED, "userCancelled" },
	{ LDAP_PARAM_ERROR, "paramError" }, { LDAP_NO_MEMORY, "noMemory" },
	{ LDAP_CONNECT_ERROR, "connectError" }, { LDAP_NOT_SUPPORTED, "notSupported" },
	{ LDAP_CONTROL_NOT_FOUND, "controlNotFound" }, { LDAP_NO_RESULTS_RETURNED, "noResultsReturned" },
	{ LDAP_MORE_RESULTS_TO_RETURN, "moreResultsToReturn" }, { LDAP_CLIENT_LOOP, "clientLoop" },
	{ LDAP_REFERRAL_LIMIT_EXCEEDED, "referralLimitExceeded" }, { LDAP_X_CONNECTING, "connecting" },
};

const char *li_result_name(int code)
{
	size_t i;

	for (i = 0; i < sizeof(results) / sizeof(results[0]); i++)
		if (results[i].code == code)
			return results[i].name;
	return NULL;
}

static const struct {
	const char *oid;
	const char *name;
} oids[] = {
	{ LI_OID_CANCEL, "Cancel" },
	{ LDAP_EXOP_START_TLS, "StartTLS" },
	{ LDAP_EXOP_WHO_AM_I, "WhoAmI" },
	{ LI_OID_PASSWD_MODIFY, "PasswordModify" },
	{ LI_OID_NOTICE_OF_DISCONNECTION, "NoticeOfDisconnection" },
	{ LDAP_EXOP_REFRESH, "Refresh" },
	{ LDAP_EXOP_TXN_START, "StartTransaction" },
	{ LDAP_EXOP_TXN_END, "EndTransaction" },
	{ LDAP_CONTROL_MANAGEDSAIT, "ManageDsaIT" },
	{ LDAP_CONTROL_PROXY_AUTHZ, "ProxiedAuthorization" },
	{ LDAP_CONTROL_RELAX, "Relax" },
	{ LDAP_CONTROL_NOOP, "NoOp" },
	{ LDAP_CONTROL_ASSERT, "Assertion" },
	{ LDAP_CONTROL_VALUESRETURNFILTER, "ValuesReturnFilter" },
	{ LDAP_CONTROL_PRE_READ, "PreRead" },
	{ LDAP_CONTROL_POST_READ, "PostRead" },
	{ LDAP_CONTROL_SUBENTRIES, "Subentries" },
	{ LDAP_CONTROL_PAGEDRESULTS, "PagedResults" },
	{ LDAP_CONTROL_SORTREQUEST, "SortRequest" },
	{ LDAP_CONTROL_SORTRESPONSE, "SortResponse" },
	{ LDAP_CONTROL_VLVREQUEST, "VLVRequest" },
	{ LDAP_CONTROL_VLVRESPONSE, "VLVResponse" },
	{ LDAP_CONTROL_X_DEREF, "Dereference" },
	{ LDAP_CONTROL_PERSIST_REQUEST, "PersistentSearch" },
	{ LDAP_CONTROL_X_DOMAIN_SCOPE, "DomainScope" },
	{ LDAP_CONTROL_X_SHOW_DELETED, "ShowDeleted" },
	{ LDAP_CONTROL_X_SERVER_NOTIFICATION, "ServerNotification" },
	{ LDAP_CONTROL_X_EXTENDED_DN, "ExtendedDN" },
	{ LDAP_CONTROL_X_DIRSYNC, "DirSync" },
	{ LDAP_CONTROL_X_ACCOUNT_USABILITY, "AccountUsability" },
	{ LDAP_CONTROL_DONTUSECOPY, "DontUseCopy" },
	{ LDAP_CONTROL_SYNC, "SyncRequest" },
	{ LDAP_CONTROL_SYNC_STATE, "SyncState" },
	{ LDAP_CONTROL_SYNC_DONE, "SyncDone" },
	{ LDAP_SYNC_INFO, "SyncInfo" },
	{ LDAP_CONTROL_PASSWORDPOLICYREQUEST, "PasswordPolicy" },
};

const char *li_oid_name(const char *oid, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(oids) / sizeof(oids[0]); i++)
		if (strlen(oids[i].oid) == len && memcmp(oids[i].oid, oid, len) == 0)
			return oids[i].name;
	return NULL;
}

typedef struct word {
	int code;
	const char *name;
} word;

/* The first name of a code is the one shown; the others are accepted. */
static const word scopes[] = {
	{ LDAP_SCOPE_BASE, "base" },         { LDAP_SCOPE_ONELEVEL, "one" },
	{ LDAP_SCOPE_SUBTREE, "sub" },       { LDAP_SCOPE_CHILDREN, "children" },
	{ LDAP_SCOPE_ONELEVEL, "onelevel" }, { LDAP_SCOPE_SUBTREE, "subtree" },
	{ LDAP_SCOPE_CHILDREN, "subordinate" },
};

static const word derefs[] = {
	{ LDAP_DEREF_NEVER, "never" },
	{ LDAP_DEREF_SEARCHING, "search" },
	{ LDAP_DEREF_FINDING, "find" },
	{ LDAP_DEREF_ALWAYS, "always" },
};

static const char *word_name(const word *w, size_t n, int code)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (w[i].code == code)
			return w[i].name;
	return NULL;
}

static int word_code(const word *w, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(w[i].name, name) == 0)
			return w[i].code;
	return -1;
}

#define N_(a) (sizeof(a) / sizeof((a)[0]))

const char *li_scope_name(int scope) { return word_name(scopes, N_(scopes), scope); }
const char *li_deref_name(int deref) { return word_name(derefs, N_(derefs), deref); }
int li_scope_code(const char *name) { return word_code(scopes, N_(scopes), name); }
int li_deref_code(const char *name) { return word_code(derefs, N_(derefs), name); }
