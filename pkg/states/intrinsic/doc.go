// Package intrinsic evaluates the Amazon States Language intrinsic functions
// (States.Format, States.Array, States.Hash, ...) that JSONPath states call in
// ".$" payload template values, as AWS Step Functions does.
//
// The behaviour follows the AWS page "Intrinsic functions for JSONPath states
// in Step Functions"
// (https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html)
// and, where the page is silent, the outcomes LocalStack recorded against AWS
// (tests/aws/services/stepfunctions/v2/intrinsic_functions/*.snapshot.json).
package intrinsic
