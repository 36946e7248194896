package functions

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Name is Lambda's SigV4 signing name.
func (s *Service) Name() string { return "lambda" }

var protocol = localcloud.RESTJSON("lambda", localcloud.LambdaRoutes)

// Protocol is Lambda's REST-JSON protocol.
func (s *Service) Protocol() localcloud.Protocol { return protocol }

// Call runs one Lambda operation; every operation not listed here gets
// the unknown-operation error.
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
	case "Invoke":
		return s.invokeAPI(ctx, fn, qualifier, in)
	case "PutFunctionConcurrency":
		var req struct {
			ReservedConcurrentExecutions *int `json:"ReservedConcurrentExecutions"`
		}
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		return s.PutFunctionConcurrency(ctx, fn, req.ReservedConcurrentExecutions)
	case "GetFunctionConcurrency":
		return s.GetFunctionConcurrency(ctx, fn)
	case "DeleteFunctionConcurrency":
		if err := s.DeleteFunctionConcurrency(ctx, fn); err != nil {
			return nil, err
		}
		return &localcloud.RESTResult{Status: http.StatusNoContent}, nil
	}
	return nil, localcloud.ErrUnknownOperation
}

// invokeAPI is Invoke on the wire: the event is the raw body, the answer
// the raw payload with the outcome in headers. A throttle is written here
// rather than by the codec, which has no place for its Reason member.
func (s *Service) invokeAPI(ctx context.Context, fn, qualifier string, in *localcloud.Request) (any, error) {
	out, err := s.Invoke(ctx, in.Region, InvokeInput{
		FunctionName: fn, Qualifier: qualifier, Payload: in.Body,
		InvocationType: in.Header.Get("X-Amz-Invocation-Type"), LogType: in.Header.Get("X-Amz-Log-Type"),
		ClientContext: in.Header.Get("X-Amz-Client-Context"), TraceHeader: in.Header.Get("X-Amzn-Trace-Id"),
	})
	var te *ThrottleError
	if errors.As(err, &te) {
		body, _ := json.Marshal(map[string]string{"__type": te.Err.Code, "message": te.Err.Message, "Reason": te.Reason, "Type": "User"})
		h := http.Header{}
		h.Set("X-Amzn-ErrorType", te.Err.Code)
		return &localcloud.RESTResult{Status: te.Err.Status, Header: h, Body: body}, nil
	}
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	h.Set("X-Amzn-RequestId", out.RequestID)
	if out.ExecutedVersion != "" {
		h.Set("X-Amz-Executed-Version", out.ExecutedVersion)
	}
	if out.FunctionError != "" {
		h.Set("X-Amz-Function-Error", out.FunctionError)
	}
	if out.LogResult != "" {
		h.Set("X-Amz-Log-Result", out.LogResult)
	}
	body := out.Payload
	if body == nil {
		body = []byte{}
	}
	return &localcloud.RESTResult{Status: out.StatusCode, Header: h, Body: body}, nil
}

// Authorization names the IAM action and resource of an operation:
// lambda:InvokeFunction on the function for Invoke, lambda:<operation> on
// the function (or "*" for an operation on none) for the others.
func (s *Service) Authorization(op string, in *localcloud.Request) (string, []string) {
	action := "lambda:" + op
	if op == "Invoke" {
		action = "lambda:InvokeFunction"
	}
	ref := in.Labels["FunctionName"]
	if ref == "" {
		ref = in.Labels["Resource"]
	}
	if ref == "" {
		return action, []string{"*"}
	}
	name, q, err := s.resolve(ref, patNamespacedName, 256)
	if err != nil {
		return action, []string{"*"}
	}
	arn := s.functionArn(name)
	if q == "" {
		q = in.Query.Get("Qualifier")
	}
	if q != "" {
		arn += ":" + q
	}
	return action, []string{arn}
}
