// Command fn is a Lambda function for the functions tests; its event says
// what to do, so one binary covers success, errors, timeouts, crashes,
// logs and the environment Lambda sets.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Print     string   `json:"print"`     // a line to standard output
	Count     string   `json:"count"`     // a file to append a line to, one per run
	FailUntil int      `json:"failUntil"` // fail while count's file has at most this many lines
	WaitFile  string   `json:"waitFile"`  // wait until this file exists
	SleepMS   int      `json:"sleepMs"`
	Exit      int      `json:"exit"`
	Fail      string   `json:"fail"`
	Big       int      `json:"big"`
	Env       []string `json:"env"` // variables to report
}

type reply struct {
	RequestID string            `json:"requestId"`
	Trace     string            `json:"trace"`
	Version   string            `json:"version"`
	Env       map[string]string `json:"env,omitempty"`
	Client    string            `json:"client,omitempty"`
	Big       string            `json:"big,omitempty"`
}

// Boom is the typed error the tests expect by name.
type Boom struct{ msg string }

func (b *Boom) Error() string { return b.msg }

func main() {
	if code := os.Getenv("FAIL_INIT"); code != "" {
		fmt.Println("init fails")
		os.Exit(3)
	}
	lambda.Start(func(ctx context.Context, e event) (reply, error) {
		lc, _ := lambdacontext.FromContext(ctx)
		if e.Print != "" {
			fmt.Println(e.Print)
		}
		if e.Count != "" {
			f, err := os.OpenFile(e.Count, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
			if err != nil {
				return reply{}, err
			}
			fmt.Fprintln(f, time.Now().UnixNano())
			_ = f.Close()
			b, _ := os.ReadFile(e.Count)
			if n := strings.Count(string(b), "\n"); n <= e.FailUntil {
				return reply{}, &Boom{msg: fmt.Sprintf("run %d fails", n)}
			}
		}
		for e.WaitFile != "" {
			if _, err := os.Stat(e.WaitFile); err == nil {
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
		if e.SleepMS > 0 {
			time.Sleep(time.Duration(e.SleepMS) * time.Millisecond)
		}
		if e.Exit != 0 {
			os.Exit(e.Exit)
		}
		if e.Fail != "" {
			return reply{}, &Boom{msg: e.Fail}
		}
		version, _ := os.ReadFile(filepath.Join(os.Getenv("LAMBDA_TASK_ROOT"), "version.txt"))
		r := reply{RequestID: lc.AwsRequestID, Trace: os.Getenv("_X_AMZN_TRACE_ID"), Version: string(version)}
		if lc.ClientContext.Custom != nil {
			r.Client = lc.ClientContext.Custom["who"]
		}
		if len(e.Env) > 0 {
			r.Env = map[string]string{}
			for _, k := range e.Env {
				r.Env[k] = os.Getenv(k)
			}
		}
		if e.Big > 0 {
			r.Big = strings.Repeat("x", e.Big)
		}
		return r, nil
	})
}
