// Command publishmedium is the blog publishing workflow's Medium step: it
// cross-posts a blog.Post to Medium and returns a blog.Result for platform
// "medium".
//
// Medium's API can create a post but not look one up, update or delete it,
// and Medium no longer supports it. So the function posts each Sanity post
// once, and remembers it in a ledger: a JSON object per post in an S3 bucket
// of the stack. A post already published is reported "unchanged" without
// calling Medium, edits included (the result and log say the edit did not
// reach Medium). Before posting, the post is claimed with a conditional
// write, so two executions for the same post publish it once. When the POST
// may have reached Medium but nothing says whether it created the post, the
// claim is kept and the function fails with PublishOutcomeUnknown until
// someone has checked Medium and deleted the record (to publish again) or
// put the post's Medium URL in it.
//
// Environment:
//
//	MEDIUM_SECRET_ID       required; Secrets Manager id of the JSON secret
//	                       {"MEDIUM_TOKEN": "...", "MEDIUM_AUTHOR_ID": "..."}
//	                       (MEDIUM_AUTHOR_ID is optional: without it the
//	                       author is looked up with GET /me). When the
//	                       secret does not exist the post is skipped, as
//	                       for a platform the user has not set up.
//	MEDIUM_LEDGER_BUCKET   required; the bucket holding the ledger. The role
//	                       needs s3:GetObject, s3:PutObject and
//	                       s3:DeleteObject on the prefix's objects.
//	MEDIUM_LEDGER_PREFIX   key prefix of the ledger records; default medium/.
//	                       A post's record is <prefix><path-escaped post id>.json.
//	MEDIUM_PUBLISH_STATUS  public, draft or unlisted; default public
//	MEDIUM_API_URL         Medium REST API base URL; default https://api.medium.com/v1
//
// The S3 client honours the standard AWS variables, among them AWS_REGION and
// AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_S3 (path-style for a localhost or IP
// endpoint, such as the local cloud's).
//
// Errors a state machine sees: RateLimited, PlatformUnavailable,
// LedgerUnavailable and PublishInProgress are worth retrying;
// PublishOutcomeUnknown, LedgerFailed, PlatformRejected, InvalidPost,
// Misconfigured and the secrets package's Unavailable and Malformed are not.
package main

import (
	"os"

	"github.com/stepforge/stepforge/pkg/awsconfig"
	"github.com/stepforge/stepforge/pkg/middleware"
	"github.com/stepforge/stepforge/pkg/secrets"
)

func main() {
	// The zero Cache builds its Secrets Manager client, and the ledger its S3
	// client, on the first invocation that needs them, so nothing touches AWS
	// before the runtime asks for work.
	h := fromEnv(os.Getenv, &secrets.Cache{}, awsconfig.Shared)
	middleware.Start(h.handle)
}
