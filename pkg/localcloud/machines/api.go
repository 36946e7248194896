package machines

import (
	"context"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// Name is Step Functions' SigV4 signing name.
func (s *Service) Name() string { return "states" }

// Protocol is Step Functions' awsJson1.0 protocol.
func (s *Service) Protocol() localcloud.Protocol { return localcloud.JSON("1.0", "AWSStepFunctions") }

type describeOutput struct {
	StateMachineArn         string                  `json:"stateMachineArn"`
	Name                    string                  `json:"name"`
	Status                  string                  `json:"status"`
	Definition              string                  `json:"definition"`
	RoleArn                 string                  `json:"roleArn"`
	Type                    string                  `json:"type"`
	CreationDate            localcloud.Time         `json:"creationDate"`
	LoggingConfiguration    LoggingConfiguration    `json:"loggingConfiguration"`
	TracingConfiguration    TracingConfiguration    `json:"tracingConfiguration"`
	EncryptionConfiguration EncryptionConfiguration `json:"encryptionConfiguration"`
	RevisionID              string                  `json:"revisionId,omitempty"`
}

type listItem struct {
	StateMachineArn string          `json:"stateMachineArn"`
	Name            string          `json:"name"`
	Type            string          `json:"type"`
	CreationDate    localcloud.Time `json:"creationDate"`
}

// Call runs one Step Functions operation: the control plane here, the
// executions in callExecution; the rest of the API (activities, versions,
// aliases, map runs) is ErrUnknownOperation.
func (s *Service) Call(ctx context.Context, op string, in *localcloud.Request) (any, error) {
	switch op {
	case "CreateStateMachine":
		var req CreateInput
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		sm, err := s.Create(ctx, in.Region, req)
		if err != nil {
			return nil, err
		}
		return struct {
			StateMachineArn string          `json:"stateMachineArn"`
			CreationDate    localcloud.Time `json:"creationDate"`
		}{sm.ARN, localcloud.Time(sm.CreationDate)}, nil
	case "DescribeStateMachine":
		var req struct {
			StateMachineArn string `json:"stateMachineArn"`
			IncludedData    string `json:"includedData"`
		}
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		if err := required("stateMachineArn", req.StateMachineArn); err != nil {
			return nil, err
		}
		if req.IncludedData != "" && req.IncludedData != "ALL_DATA" && req.IncludedData != "METADATA_ONLY" {
			return nil, enumError("includedData", req.IncludedData, "ALL_DATA", "METADATA_ONLY")
		}
		sm, err := s.Get(ctx, req.StateMachineArn)
		if err != nil {
			return nil, err
		}
		def := sm.Definition
		if req.IncludedData == "METADATA_ONLY" {
			def = "{}"
		}
		return describeOutput{
			StateMachineArn: sm.ARN, Name: sm.Name, Status: sm.Status, Definition: def, RoleArn: sm.RoleArn,
			Type: sm.Type, CreationDate: localcloud.Time(sm.CreationDate), LoggingConfiguration: sm.Logging,
			TracingConfiguration: sm.Tracing, EncryptionConfiguration: sm.Encryption, RevisionID: sm.RevisionID,
		}, nil
	case "ListStateMachines":
		var req struct {
			MaxResults int    `json:"maxResults"`
			NextToken  string `json:"nextToken"`
		}
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		page, err := s.List(ctx, in.Region, req.MaxResults, req.NextToken)
		if err != nil {
			return nil, err
		}
		items := make([]listItem, len(page.StateMachines))
		for i, sm := range page.StateMachines {
			items[i] = listItem{sm.ARN, sm.Name, sm.Type, localcloud.Time(sm.CreationDate)}
		}
		return struct {
			StateMachines []listItem `json:"stateMachines"`
			NextToken     string     `json:"nextToken,omitempty"`
		}{items, page.NextToken}, nil
	case "UpdateStateMachine":
		var req UpdateInput
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		sm, err := s.Update(ctx, req)
		if err != nil {
			return nil, err
		}
		return struct {
			UpdateDate localcloud.Time `json:"updateDate"`
			RevisionID string          `json:"revisionId"`
		}{localcloud.Time(sm.UpdateDate), sm.RevisionID}, nil
	case "DeleteStateMachine":
		var req struct {
			StateMachineArn string `json:"stateMachineArn"`
		}
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		return struct{}{}, s.Delete(ctx, req.StateMachineArn)
	case "TagResource":
		var req struct {
			ResourceArn string `json:"resourceArn"`
			Tags        []Tag  `json:"tags"`
		}
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		return struct{}{}, s.Tag(ctx, req.ResourceArn, req.Tags)
	case "UntagResource":
		var req struct {
			ResourceArn string   `json:"resourceArn"`
			TagKeys     []string `json:"tagKeys"`
		}
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		return struct{}{}, s.Untag(ctx, req.ResourceArn, req.TagKeys)
	case "ListTagsForResource":
		var req struct {
			ResourceArn string `json:"resourceArn"`
		}
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		tags, err := s.Tags(ctx, req.ResourceArn)
		if err != nil {
			return nil, err
		}
		return struct {
			Tags []Tag `json:"tags"`
		}{tags}, nil
	case "ValidateStateMachineDefinition":
		var req struct {
			Definition string `json:"definition"`
			Type       string `json:"type"`
			Severity   string `json:"severity"`
			MaxResults int    `json:"maxResults"`
		}
		if err := in.Decode(&req); err != nil {
			return nil, err
		}
		v, err := s.Validate(ctx, req.Definition, req.Type, req.Severity, req.MaxResults)
		if err != nil {
			return nil, err
		}
		if v.Diagnostics == nil {
			v.Diagnostics = []Diagnostic{}
		}
		return v, nil
	}
	return s.callExecution(ctx, op, in)
}
