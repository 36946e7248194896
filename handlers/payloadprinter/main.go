// Command payloadprinter is the sample step of the webhook workflow: it logs
// the payload the webhook delivered as structured JSON and hands it on
// unchanged, so the execution history and the logs show what arrived.
//
// Environment: it reads no variables of its own, only those the Lambda
// runtime sets and the middleware honours (AWS_LAMBDA_FUNCTION_NAME,
// AWS_LAMBDA_LOG_LEVEL).
package main

import "github.com/stepforge/stepforge/pkg/middleware"

func main() {
	h := &handler{}
	middleware.Start(h.handle)
}
