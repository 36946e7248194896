// Package runtimeapi runs a Lambda function's bootstrap executable on this
// machine against a loopback host of the Lambda Runtime API (version
// 2018-06-01), the protocol every provided.al2023 function speaks: the
// process polls /runtime/invocation/next and answers /response or /error.
// The tests of the built handlers and the local cloud both run functions so.
package runtimeapi

import (
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"time"
)

// Function describes a function to run.
type Function struct {
	// Name is the function name; it defaults to the executable's folder name.
	Name string
	// Path is the bootstrap executable.
	Path string
	// Env is added to the environment Lambda sets for every function; a
	// variable it repeats replaces Lambda's (os/exec keeps the last).
	Env []string
	// Timeout bounds each invocation; the default is Lambda's, 3 seconds.
	Timeout time.Duration
	// MemoryMB is reported to the function; the default is 128.
	MemoryMB int
	// Region and Account make up the function ARN; defaults us-east-1 and
	// 000000000000.
	Region, Account string
	// Output receives the process's standard output and error; nil discards.
	Output io.Writer
}

func (f Function) withDefaults() Function {
	if f.Name == "" {
		f.Name = filepath.Base(filepath.Dir(f.Path))
	}
	if f.Timeout <= 0 {
		f.Timeout = 3 * time.Second
	}
	if f.MemoryMB <= 0 {
		f.MemoryMB = 128
	}
	if f.Region == "" {
		f.Region = "us-east-1"
	}
	if f.Account == "" {
		f.Account = "000000000000"
	}
	if f.Output == nil {
		f.Output = io.Discard
	}
	return f
}

// ARN is the function's ARN as the runtime reports it.
func (f Function) ARN() string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", f.Region, f.Account, f.Name)
}

// environment is what Lambda sets for a function, plus f.Env.
func (f Function) environment(api string) []string {
	env := []string{
		"AWS_LAMBDA_RUNTIME_API=" + api,
		"AWS_LAMBDA_FUNCTION_NAME=" + f.Name,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(f.MemoryMB),
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + f.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME=local/" + f.Name,
		"AWS_REGION=" + f.Region,
		"AWS_DEFAULT_REGION=" + f.Region,
		"LAMBDA_TASK_ROOT=" + filepath.Dir(f.Path),
		"_HANDLER=bootstrap",
		"TZ=:UTC",
		"PATH=/usr/local/bin:/usr/bin:/bin",
	}
	return append(env, f.Env...)
}
