// Package traces is the local cloud's AWS X-Ray: segments in the X-Ray
// segment document format, as the SDKs send them and the services of the
// local cloud write them, kept in the store by trace id.
//
// Three ways in: PutSegment for the local cloud's own services (Lambda's
// AWS::Lambda and AWS::Lambda::Function segments, Step Functions'
// executions), the API's PutTraceSegments, and the daemon's UDP protocol
// (ListenUDP) that the X-Ray SDKs in function processes send to. The API
// answers GetTraceSummaries (a subset of the filter expressions, the rest
// refused by name), BatchGetTraces and GetTraceGraph, with independent
// subsegments joined to their parents when a trace is read.
//
// Sampling: the one rule, Default, samples every request (FixedRate 1.0,
// where AWS's Default keeps one request a second and 5% of the rest), on
// the API's GetSamplingRules and GetSamplingTargets and on the daemon's
// TCP proxy (ListenTCP), so that a local trace is always complete.
//
// https://docs.aws.amazon.com/xray/latest/api/API_Operations.html
package traces
