package asl

// Error names the States runtime defines. Names a workflow's own code raises
// (aws-lambda-go reports the error's Go type name) are plain strings.
const (
	ErrorAll                             = "States.ALL"
	ErrorDataLimitExceeded               = "States.DataLimitExceeded"
	ErrorExceedToleratedFailureThreshold = "States.ExceedToleratedFailureThreshold"
	ErrorHeartbeatTimeout                = "States.HeartbeatTimeout"
	ErrorIntrinsicFailure                = "States.IntrinsicFailure"
	ErrorItemReaderFailed                = "States.ItemReaderFailed"
	ErrorNoChoiceMatched                 = "States.NoChoiceMatched"
	ErrorParameterPathFailure            = "States.ParameterPathFailure"
	ErrorPermissions                     = "States.Permissions"
	ErrorQueryEvaluationError            = "States.QueryEvaluationError"
	ErrorResultPathMatchFailure          = "States.ResultPathMatchFailure"
	ErrorResultWriterFailed              = "States.ResultWriterFailed"
	ErrorRuntime                         = "States.Runtime"
	ErrorTaskFailed                      = "States.TaskFailed"
	ErrorTimeout                         = "States.Timeout"
	ErrorBranchFailed                    = "States.BranchFailed"
)

// LambdaTransientErrors returns the errors the Lambda service integration
// raises for failures worth retrying, the set AWS recommends every
// lambda:invoke Task retries on.
func LambdaTransientErrors() []string {
	return []string{
		"Lambda.ServiceException",
		"Lambda.AWSLambdaException",
		"Lambda.SdkClientException",
		"Lambda.TooManyRequestsException",
	}
}

// JitterStrategy says whether retry intervals are randomised.
type JitterStrategy string

// The jitter strategies: FULL spreads each interval uniformly between 0 and
// its computed value, so retries of many executions do not arrive together.
const (
	JitterFull JitterStrategy = "FULL"
	JitterNone JitterStrategy = "NONE"
)

// Retrier retries a state that failed with one of ErrorEquals. Unset numbers
// take the AWS defaults: IntervalSeconds 1, MaxAttempts 3, BackoffRate 2.
type Retrier struct {
	Comment         string
	ErrorEquals     []string
	IntervalSeconds *int
	MaxAttempts     *int // 0 means never retry
	BackoffRate     *float64
	MaxDelaySeconds *int
	JitterStrategy  JitterStrategy
	leftovers
}

func (r *Retrier) fields() []field {
	return []field{
		{"Comment", &r.Comment, "", kindPlain},
		{"ErrorEquals", &r.ErrorEquals, "", kindPlain},
		{"IntervalSeconds", &r.IntervalSeconds, "", kindPlain},
		{"MaxAttempts", &r.MaxAttempts, "", kindPlain},
		{"BackoffRate", &r.BackoffRate, "", kindPlain},
		{"MaxDelaySeconds", &r.MaxDelaySeconds, "", kindPlain},
		{"JitterStrategy", &r.JitterStrategy, "", kindPlain},
	}
}

// MarshalJSON writes the retrier's fields in a fixed order.
func (r Retrier) MarshalJSON() ([]byte, error) { return marshalObject(&r) }

// UnmarshalJSON reads a retrier.
func (r *Retrier) UnmarshalJSON(b []byte) error { return unmarshalObject(b, r) }

// Catcher moves to Next when the state fails with one of ErrorEquals, once
// its retriers are exhausted.
type Catcher struct {
	Comment     string
	ErrorEquals []string
	ResultPath  Path // JSONPath: where the error output goes in the state's input
	Output      any  // JSONata
	Assign      Object
	Next        string
	leftovers
}

func (c *Catcher) fields() []field {
	return []field{
		{"Comment", &c.Comment, "", kindPlain},
		{"ErrorEquals", &c.ErrorEquals, "", kindPlain},
		{"ResultPath", &c.ResultPath, JSONPath, kindResultPath},
		{"Output", &c.Output, JSONata, kindTemplate},
		{"Assign", &c.Assign, "", kindTemplate},
		{"Next", &c.Next, "", kindPlain},
	}
}

// MarshalJSON writes the catcher's fields in a fixed order.
func (c Catcher) MarshalJSON() ([]byte, error) { return marshalObject(&c) }

// UnmarshalJSON reads a catcher.
func (c *Catcher) UnmarshalJSON(b []byte) error { return unmarshalObject(b, c) }
