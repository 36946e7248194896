// Package deploy puts CloudFormation stacks and their artifacts into an AWS
// account, or into the local cloud: the same code does both, and only the
// aws.Config differs (a BaseEndpoint, or AWS_ENDPOINT_URL, for the local one).
// It deploys any template it is handed and knows nothing of how it was made.
//
// # Bootstrap
//
// The first deploy (or Bootstrap) creates one stack, "stepforge-bootstrap"
// unless Options.BootstrapStack names another, holding the artifact bucket,
// as `cdk bootstrap` does. The bucket is encrypted (SSE-S3, AES256), blocks
// every form of public access, denies any request not made over TLS
// (aws:SecureTransport false), and is retained when its stack is deleted.
// Its lifecycle rules: objects under assets/ expire 365 days after their
// upload (an expired artifact that a deploy still needs is uploaded again,
// since every deploy checks with HeadObject first; only a rollback to a
// handler untouched for a year could miss it), large templates under
// templates/ expire after 30 days (CloudFormation reads a TemplateURL only
// while it creates the change set), and incomplete multipart uploads are
// aborted after one day. The stack's output ArtifactBucketName names the
// bucket; BootstrapVersion says which revision of this package made it, and
// a deploy finding an older one updates it first.
//
// # Artifacts
//
// Each Asset (a handler's zip) is uploaded once to assets/<sha256>.zip, and
// the template parameter it names receives that key; the parameter
// ArtifactBucket, when the template declares it, receives the bucket. An
// artifact already in the bucket is not uploaded again, so only a changed
// handler changes its stack's parameters. Templates over 51,200 bytes
// (CloudFormation's limit for a TemplateBody) go to templates/<sha256>.json
// and are passed by TemplateURL.
//
// # Parameters
//
// Each stack's parameter values come, lowest precedence first, from the
// template's Default, the "*" section of the environment's file
// <ParamsDir>/<Environment>.json (default params/dev.json), that file's
// section named after the stack, and the process environment:
//
//	{"*": {"LogLevel": "INFO"}, "upload-alarm": {"NotificationEmail": "ops@example.com"}}
//
//	STEPFORGE_PARAM_<Param>=value           every stack that declares Param
//	STEPFORGE_PARAM_<STACK>__<Param>=value  one stack only
//
// where <STACK> is the stack name upper-cased with every character other than
// a letter or digit turned into "_" (upload-alarm: UPLOAD_ALARM); the stack
// name spelled exactly as given is accepted too. An empty variable counts as
// unset. A parameter declared NoEcho must not appear in the file: secrets
// come only from the environment. A parameter with no default and no value
// is named, with where to set it, before anything is created or uploaded.
// Values in the file may be strings, numbers, booleans or lists (joined with
// commas, for CommaDelimitedList parameters).
//
// # Change sets
//
// Every deploy goes through a change set, CREATE or UPDATE as the stack's
// state requires: a stack left in ROLLBACK_COMPLETE (its creation failed) is
// deleted and created again, a stack busy with another operation is waited
// for, and one in UPDATE_ROLLBACK_FAILED stops the deploy with what to do.
// The change set's rows are printed before it is executed; a row that
// removes a resource or replaces one (Replacement True) is destructive and
// runs only when confirmed at a terminal (Options.Confirm) or approved
// beforehand (Options.Approve or STEPFORGE_APPROVE=1). Diff prints the rows
// and executes nothing.
//
// # Progress and outcome
//
// Stack events are printed as they arrive: one line each, or on a terminal
// (Options.Terminal) a live view of one redrawn line per resource. Stacks
// that do not depend on each other deploy in parallel. Polling runs every
// Options.PollInterval: 2 s against AWS, 50 ms when the endpoint is a
// loopback address; a few failed polls in a row are tolerated, since the
// operation goes on in CloudFormation regardless. A deployed stack's outputs are printed and written to
// <OutputsDir>/<stack>.json (default build/outputs); a failed one returns a
// *StackError naming the first resource that failed, its reason, the stack's
// final status and what to do next.
package deploy
