// Package traces is the local cloud's AWS X-Ray: segments in the X-Ray
// segment document format, as the SDKs send them and the services of the
// local cloud write them.
package traces
