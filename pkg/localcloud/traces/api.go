package traces

import (
	"context"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Name is X-Ray's SigV4 signing name.
func (s *Service) Name() string { return "xray" }

var protocol = localcloud.RESTJSON("xray", localcloud.XRayRoutes)

// Protocol is X-Ray's REST-JSON protocol.
func (s *Service) Protocol() localcloud.Protocol { return protocol }

// Call runs one X-Ray operation; the others (groups, insights,
// encryption, telemetry) get the unknown-operation error.
func (s *Service) Call(ctx context.Context, op string, in *localcloud.Request) (any, error) {
	switch op {
	case "PutTraceSegments":
		var req struct{ TraceSegmentDocuments []string }
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		u, err := s.PutTraceSegments(ctx, req.TraceSegmentDocuments)
		if err != nil {
			return nil, err
		}
		return map[string]any{"UnprocessedTraceSegments": u}, nil
	case "GetTraceSummaries":
		var req GetTraceSummariesInput
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		return s.GetTraceSummaries(ctx, &req)
	case "BatchGetTraces":
		var req struct{ TraceIds []string }
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		return s.BatchGetTraces(ctx, req.TraceIds)
	case "GetTraceGraph":
		var req struct{ TraceIds []string }
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		return s.GetTraceGraph(ctx, req.TraceIds)
	case "GetSamplingRules":
		return s.GetSamplingRules(ctx, in.Region), nil
	case "GetSamplingTargets":
		var req struct{ SamplingStatisticsDocuments []SamplingStatistics }
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		return s.GetSamplingTargets(ctx, req.SamplingStatisticsDocuments), nil
	}
	return nil, localcloud.ErrUnknownOperation
}
