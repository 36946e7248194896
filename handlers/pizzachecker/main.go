// Command pizzachecker is the order check of the pizza workflow: it reports
// whether the ordered flavour contains pineapple, so the state machine can
// refuse the order.
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
