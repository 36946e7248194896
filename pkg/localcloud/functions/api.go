package functions

import (
	"context"
	"net/http"
	"strconv"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Name is Lambda's SigV4 signing name.
func (s *Service) Name() string { return "lambda" }

var protocol = localcloud.RESTJSON("lambda", localcloud.LambdaRoutes)

// Protocol is Lambda's REST-JSON protocol.
func (s *Service) Protocol() localcloud.Protocol { return protocol }

// Call runs one Lambda operation. Invoke (the data plane) and every
// operation not listed here get the unknown-operation error.
func (s *Service) Call(ctx context.Context, op string, in *localcloud.Request) (any, error) {
	fn := in.Labels["FunctionName"]
	qualifier := in.Query.Get("Qualifier")
	switch op {
	case "CreateFunction":
		var req CreateFunctionInput
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		return s.CreateFunction(ctx, &req)
	case "GetFunction":
		return s.GetFunction(ctx, fn, qualifier)
	case "GetFunctionConfiguration":
		return s.GetFunctionConfiguration(ctx, fn, qualifier)
	case "ListFunctions":
		if v := in.Query.Get("MasterRegion"); v != "" {
			return nil, unsupported("MasterRegion (Lambda@Edge replicas)")
		}
		if v := in.Query.Get("FunctionVersion"); v != "" && v != "ALL" {
			var val validation
			return nil, val.enumErr(v, "functionVersion", "ALL")
		}
		maxItems := 0
		if v := in.Query.Get("MaxItems"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, invalidParameter("MaxItems must be a number, got %q", v)
			}
			maxItems = n
		}
		return s.ListFunctions(ctx, in.Query.Get("Marker"), maxItems)
	case "DeleteFunction":
		if err := s.DeleteFunction(ctx, fn, qualifier); err != nil {
			return nil, err
		}
		return &localcloud.RESTResult{Status: http.StatusNoContent}, nil
	case "UpdateFunctionCode":
		var req UpdateFunctionCodeInput
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		req.FunctionName = fn
		return s.UpdateFunctionCode(ctx, &req)
	case "UpdateFunctionConfiguration":
		var req UpdateFunctionConfigurationInput
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		req.FunctionName = fn
		return s.UpdateFunctionConfiguration(ctx, &req)
	case "AddPermission":
		var req AddPermissionInput
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		req.FunctionName, req.Qualifier = fn, qualifier
		st, err := s.AddPermission(ctx, &req)
		if err != nil {
			return nil, err
		}
		return map[string]string{"Statement": st}, nil
	case "GetPolicy":
		policy, revision, err := s.GetPolicy(ctx, fn, qualifier)
		if err != nil {
			return nil, err
		}
		return map[string]string{"Policy": policy, "RevisionId": revision}, nil
	case "RemovePermission":
		if err := s.RemovePermission(ctx, fn, in.Labels["StatementId"], qualifier, in.Query.Get("RevisionId")); err != nil {
			return nil, err
		}
		return &localcloud.RESTResult{Status: http.StatusNoContent}, nil
	case "TagResource":
		var req struct {
			Tags map[string]string `json:"Tags"`
		}
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		if req.Tags == nil {
			return nil, (&validation{"Value null at 'tags' failed to satisfy constraint: Member must not be null"}).err()
		}
		if err := s.TagResource(ctx, in.Labels["Resource"], req.Tags); err != nil {
			return nil, err
		}
		return &localcloud.RESTResult{Status: http.StatusNoContent}, nil
	case "UntagResource":
		keys := in.Query["tagKeys"]
		if len(keys) == 0 {
			return nil, (&validation{"Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"}).err()
		}
		if err := s.UntagResource(ctx, in.Labels["Resource"], keys); err != nil {
			return nil, err
		}
		return &localcloud.RESTResult{Status: http.StatusNoContent}, nil
	case "ListTags":
		tags, err := s.ListTags(ctx, in.Labels["Resource"])
		if err != nil {
			return nil, err
		}
		return map[string]map[string]string{"Tags": tags}, nil
	case "GetAccountSettings":
		return s.GetAccountSettings(ctx)
	}
	return nil, localcloud.ErrUnknownOperation
}
