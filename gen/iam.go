package gen

import (
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/iam"
)

// document is an IAM policy document.
type document struct {
	Version   string      `json:"Version"`
	Statement []statement `json:"Statement"`
}

// statement is one IAM statement. Resources hold rendered template strings.
type statement struct {
	Sid       string         `json:"Sid,omitempty"`
	Effect    string         `json:"Effect"`
	Principal map[string]any `json:"Principal,omitempty"`
	Action    []string       `json:"Action"`
	Resource  []string       `json:"Resource,omitempty"`
	Condition map[string]any `json:"Condition,omitempty"`
}

func allow(sid string, actions []string, resources ...string) statement {
	return statement{Sid: sid, Effect: "Allow", Action: actions, Resource: resources}
}

// Actions AWS cannot scope to a resource, so their statements name "*".
var (
	xrayActions        = []string{"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
	xrayMachineActions = []string{"xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"}
	// Step Functions delivers execution logs through CloudWatch Logs' vended
	// log delivery, whose API takes no resource.
	logDeliveryActions = []string{
		"logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
		"logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
	}
)

// role returns an IAM role that service may assume, holding statements as
// one inline policy.
func role(service, description string, statements []statement) *iam.Role {
	r := &iam.Role{
		Description: cloudformation.String(description),
		AssumeRolePolicyDocument: document{Version: "2012-10-17", Statement: []statement{{
			Effect:    "Allow",
			Principal: map[string]any{"Service": service},
			Action:    []string{"sts:AssumeRole"},
		}}},
	}
	if len(statements) > 0 {
		r.Policies = []iam.Role_Policy{{PolicyName: "least-privilege", PolicyDocument: document{Version: "2012-10-17", Statement: statements}}}
	}
	return r
}
