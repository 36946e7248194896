// Command statuschecker asks an HTTP endpoint for its status and returns the
// status code beside its own input, so the workflow can wait and ask again
// (OutputPath $.event hands the original input back) while it answers 500.
//
// Environment:
//
//	STATUS_URL      URL to GET; required. Missing or unusable, every call
//	                fails with Misconfigured.
//	STATUS_TIMEOUT  how long to wait for the answer, as a Go duration ("5s",
//	                "750ms") or whole seconds ("5"); default 5s.
//
// The middleware also honours AWS_LAMBDA_FUNCTION_NAME and AWS_LAMBDA_LOG_LEVEL.
package main

import (
	"net/http"
	"os"

	"github.com/stepforge/stepforge/pkg/middleware"
)

func main() {
	h := newHandler(os.Getenv, newTracingClient(&http.Client{}))
	middleware.Start(h.handle)
}
