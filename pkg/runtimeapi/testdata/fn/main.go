// Command fn is a Lambda function for the runtimeapi tests; its payload says
// what to do, so one binary covers success, errors, timeouts and crashes.
package main

import (
	"context"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type order struct {
	Fail    string `json:"fail"`
	SleepMS int    `json:"sleepMs"`
	Exit    bool   `json:"exit"`
	Big     int    `json:"big"`
}

type reply struct {
	Function  string `json:"function"`
	RequestID string `json:"requestId"`
	Trace     string `json:"trace"`
	Deadline  bool   `json:"deadline"`
	Big       string `json:"big,omitempty"`
}

// Boom is the typed error the tests expect by name.
type Boom struct{ msg string }

func (b *Boom) Error() string { return b.msg }

func main() {
	if os.Getenv("FAIL_INIT") != "" {
		os.Exit(3)
	}
	lambda.Start(func(ctx context.Context, o order) (reply, error) {
		lc, _ := lambdacontext.FromContext(ctx)
		trace, _ := ctx.Value("x-amzn-trace-id").(string)
		_, hasDeadline := ctx.Deadline()
		switch {
		case o.Exit:
			os.Exit(2)
		case o.Fail != "":
			return reply{}, &Boom{msg: o.Fail}
		case o.SleepMS > 0:
			time.Sleep(time.Duration(o.SleepMS) * time.Millisecond)
		}
		r := reply{Function: lambdacontext.FunctionName, RequestID: lc.AwsRequestID, Trace: trace, Deadline: hasDeadline}
		if o.Big > 0 {
			b := make([]byte, o.Big)
			for i := range b {
				b[i] = 'x'
			}
			r.Big = string(b)
		}
		return r, nil
	})
}
