package functions

import (
	"context"
	"log"
	"runtime"
	"time"

	"github.com/stepforge/stepforge/pkg/localcloud/traces"
)

// LogLine is one log event of a function: a line its process wrote, or one
// of Lambda's platform lines (START, END, REPORT).
type LogLine struct {
	Time    time.Time
	Message string
}

// LogSink receives a function's log events: CloudWatch Logs' log group and
// stream, created when missing.
type LogSink interface {
	Append(ctx context.Context, group, stream string, lines []LogLine) error
}

// Tracer receives the X-Ray segments Lambda writes for a traced invocation.
type Tracer interface {
	PutSegment(ctx context.Context, seg traces.Segment) error
}

// Credentials issues the temporary credentials of a function's execution
// role; the session is named for the function, as Lambda names it.
type Credentials interface {
	IssueCredentials(ctx context.Context, roleARN, sessionName string) (accessKeyID, secretAccessKey, sessionToken string, expires time.Time, err error)
}

// Authorizer answers whether a role may act on a resource; Lambda asks it
// before writing a function's logs, which it drops when the role lacks
// logs:CreateLogStream or logs:PutLogEvents on the log group.
type Authorizer interface {
	Allowed(ctx context.Context, roleARN, action, resource string) bool
}

// Option sets a detail of the data plane for New.
type Option func(*options)

type options struct {
	logs        LogSink
	tracer      Tracer
	creds       Credentials
	authz       Authorizer
	timeScale   float64
	workDir     string
	account     int
	maxProcs    int
	idleTimeout time.Duration
	xrayAddress string
	logger      *log.Logger
	// endpointFirst holds queued events until an endpoint is set.
	endpointFirst bool
}

func defaultOptions() options {
	return options{timeScale: 1, account: 1000, maxProcs: 4 * runtime.NumCPU(), idleTimeout: 5 * time.Minute,
		xrayAddress: "127.0.0.1:2000", logger: log.Default()}
}

// WithEndpointFirst holds the asynchronous events queued before a restart
// until SetFunctionEndpoint or SetCodeEndpoint is called, so that no
// function process starts without the endpoint of the local cloud it
// belongs to (it would talk to AWS).
func WithEndpointFirst() Option { return func(o *options) { o.endpointFirst = true } }

// WithLogs sends functions' logs to sink; without it they are discarded.
func WithLogs(sink LogSink) Option { return func(o *options) { o.logs = sink } }

// WithTracer sends traced invocations' segments to t.
func WithTracer(t Tracer) Option { return func(o *options) { o.tracer = t } }

// WithCredentials gives functions their role's credentials from c; without
// it they get static dummy credentials.
func WithCredentials(c Credentials) Option { return func(o *options) { o.creds = c } }

// WithAuthorizer checks a function's role before its logs are written.
func WithAuthorizer(a Authorizer) Option { return func(o *options) { o.authz = a } }

// WithTimeScale multiplies the asynchronous retry delays (1 and 2 minutes)
// and event ages, so a test can run them at 0.001.
func WithTimeScale(f float64) Option {
	return func(o *options) {
		if f > 0 {
			o.timeScale = f
		}
	}
}

// WithWorkDir is the folder function code is extracted under; the default
// is a temporary folder removed by Close.
func WithWorkDir(dir string) Option { return func(o *options) { o.workDir = dir } }

// WithAccountConcurrency is the account's concurrent executions limit
// (Lambda's default quota, 1000, by default).
func WithAccountConcurrency(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.account = n
		}
	}
}

// WithMaxProcesses caps the processes one function runs at once (default
// 4 per CPU); invocations above it wait for a free process.
func WithMaxProcesses(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.maxProcs = n
		}
	}
}

// WithIdleTimeout is how long an idle process is kept warm (default 5
// minutes).
func WithIdleTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.idleTimeout = d
		}
	}
}

// WithXRayDaemonAddress is the functions' AWS_XRAY_DAEMON_ADDRESS (default
// 127.0.0.1:2000).
func WithXRayDaemonAddress(addr string) Option { return func(o *options) { o.xrayAddress = addr } }

// WithLogger receives the data plane's own notes (a dropped asynchronous
// event); the default is the standard logger.
func WithLogger(l *log.Logger) Option { return func(o *options) { o.logger = l } }
