package identity_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/pkg/localcloud/identity"
	"github.com/stepforge/stepforge/pkg/localcloud/lctest"
)

// template is a generated CloudFormation template, read to give its
// roles' policies plausible ARNs. lctest.TemplateProperties stands every
// Fn::GetAtt in for a log group, which cannot tell a function's ARN from
// another's, so these tests resolve by resource type instead.
type template struct {
	Parameters map[string]struct{ Default any }
	Resources  map[string]struct {
		Type       string
		Properties map[string]any
	}
}

func readTemplate(t *testing.T, file string) template {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(lctest.TestdataDir(t), file))
	require.NoError(t, err)
	var tmpl template
	require.NoError(t, json.Unmarshal(b, &tmpl))
	return tmpl
}

const arnPrefix = ":us-east-1:123456789012:"

// arn is the ARN (attr "Arn") or the Ref value (attr "") of a resource.
func (tm template) arn(id, attr string) string {
	res, ok := tm.Resources[id]
	if !ok {
		if p, ok := tm.Parameters[id]; ok {
			if s, ok := p.Default.(string); ok {
				return s
			}
			return "param-" + id
		}
		return map[string]string{"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012", "AWS::Partition": "aws", "AWS::StackName": "test-stack"}[id]
	}
	switch res.Type {
	case "AWS::Lambda::Function":
		if attr == "" {
			return id
		}
		return "arn:aws:lambda" + arnPrefix + "function:" + id
	case "AWS::Logs::LogGroup":
		name := "/aws/lambda/" + id
		if n, ok := res.Properties["LogGroupName"]; ok {
			name = tm.resolve(n).(string)
		}
		if attr == "" {
			return name
		}
		return "arn:aws:logs" + arnPrefix + "log-group:" + name + ":*"
	case "AWS::S3::Bucket":
		if attr == "" {
			return strings.ToLower(id)
		}
		return "arn:aws:s3:::" + strings.ToLower(id)
	case "AWS::StepFunctions::StateMachine":
		return "arn:aws:states" + arnPrefix + "stateMachine:" + id
	case "AWS::SNS::Topic":
		return "arn:aws:sns" + arnPrefix + id
	case "AWS::KMS::Key":
		return "arn:aws:kms" + arnPrefix + "key/" + strings.ToLower(id)
	}
	return "arn:aws:unknown" + arnPrefix + id
}

var subVar = regexp.MustCompile(`\$\{([^}]+)\}`)

func (tm template) resolve(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			if r, ok := x["Ref"].(string); ok {
				return tm.arn(r, "")
			}
			if ga, ok := x["Fn::GetAtt"].([]any); ok {
				return tm.arn(ga[0].(string), ga[1].(string))
			}
			if s, ok := x["Fn::Sub"].(string); ok {
				return subVar.ReplaceAllStringFunc(s, func(m string) string {
					id, attr, _ := strings.Cut(m[2:len(m)-1], ".")
					return tm.arn(id, attr)
				})
			}
		}
		out := map[string]any{}
		for k, e := range x {
			out[k] = tm.resolve(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = tm.resolve(e)
		}
		return out
	}
	return v
}

// concrete is a resource a request could name within a policy's
// resource pattern.
func concrete(pattern string) string {
	if pattern == "*" {
		return "*"
	}
	return strings.NewReplacer("*", "x", "?", "A").Replace(pattern)
}

type roleProps struct {
	AssumeRolePolicyDocument map[string]any
	Policies                 []struct {
		PolicyName     string
		PolicyDocument struct {
			Statement []struct {
				Effect   string
				Action   []string
				Resource []string
			}
		}
	}
	ManagedPolicyArns []string
}

func TestTheGeneratedRolesAllowWhatTheirWorkflowsNeedAndNoMore(t *testing.T) {
	ctx := context.Background()
	svc := identity.New(lctest.Store(t))
	files, err := filepath.Glob(filepath.Join(lctest.TestdataDir(t), "*.template.json"))
	require.NoError(t, err)
	require.Len(t, files, 5)
	roles := 0
	for _, file := range files {
		tm := readTemplate(t, filepath.Base(file))
		ids := make([]string, 0, len(tm.Resources))
		for id, res := range tm.Resources {
			if res.Type == "AWS::IAM::Role" {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
		for _, id := range ids {
			roles++
			raw, err := json.Marshal(tm.resolve(tm.Resources[id].Properties))
			require.NoError(t, err)
			var props roleProps
			require.NoError(t, json.Unmarshal(raw, &props))
			trustDoc, err := json.Marshal(props.AssumeRolePolicyDocument)
			require.NoError(t, err)
			_, err = svc.CreateRole(ctx, identity.CreateRoleInput{RoleName: id, AssumeRolePolicyDocument: string(trustDoc)})
			require.NoError(t, err)
			for _, p := range props.Policies {
				d, err := json.Marshal(p.PolicyDocument)
				require.NoError(t, err)
				require.NoError(t, svc.PutRolePolicy(ctx, id, p.PolicyName, strings.Replace(string(d), "{", `{"Version":"2012-10-17",`, 1)))
			}
			for _, a := range props.ManagedPolicyArns {
				require.NoError(t, svc.AttachRolePolicy(ctx, id, a))
			}
			role := identity.RoleArn("/", id)
			service := props.AssumeRolePolicyDocument["Statement"].([]any)[0].(map[string]any)["Principal"].(map[string]any)["Service"].(string)
			_, _, _, _, err = svc.IssueCredentials(ctx, role, "test", service)
			assert.NoError(t, err, "%s trusts %s", id, service)

			for _, p := range props.Policies {
				for _, st := range p.PolicyDocument.Statement {
					for _, action := range st.Action {
						for _, res := range st.Resource {
							d, err := svc.Evaluate(ctx, role, action, concrete(res), nil)
							require.NoError(t, err)
							assert.True(t, d.Allowed, "%s %s: %s on %s: %s", filepath.Base(file), id, action, res, d.Reason)
						}
					}
				}
			}
			for _, deny := range [][2]string{
				{"lambda:InvokeFunction", "arn:aws:lambda" + arnPrefix + "function:NotInTheTemplate"},
				{"iam:PassRole", "*"},
				{"s3:GetObject", "arn:aws:s3:::another-bucket/key"},
				{"states:StartExecution", "arn:aws:states" + arnPrefix + "stateMachine:Another"},
				{"logs:PutLogEvents", "arn:aws:logs" + arnPrefix + "log-group:/aws/lambda/another:log-stream:s"},
			} {
				d, err := svc.Evaluate(ctx, role, deny[0], deny[1], nil)
				require.NoError(t, err)
				assert.False(t, d.Allowed, "%s %s may %s on %s", filepath.Base(file), id, deny[0], deny[1])
			}
		}
	}
	assert.Equal(t, 17, roles)

	checkPizza := "arn:aws:lambda" + arnPrefix + "function:CheckPizzaFunction"
	pizza := "arn:aws:states" + arnPrefix + "stateMachine:PizzaStateMachine"
	for _, c := range []struct {
		role, action, resource string
		allowed                bool
	}{
		{"PizzaStateMachineRole", "lambda:InvokeFunction", checkPizza, true},
		{"PizzaStateMachineRole", "lambda:InvokeFunction", "arn:aws:lambda" + arnPrefix + "function:PrintPayloadFunction", false},
		{"PizzaStateMachineRole", "xray:PutTraceSegments", "*", true},
		{"PizzaStateMachineRole", "states:StartExecution", pizza, false},
		{"PizzaHttpApiRole", "states:StartSyncExecution", pizza, true},
		{"PizzaHttpApiRole", "states:StartExecution", pizza, false},
		{"CheckPizzaFunctionRole", "logs:PutLogEvents", "arn:aws:logs" + arnPrefix + "log-group:/aws/lambda/CheckPizzaFunctionLogGroup:log-stream:2026/12/02/[$LATEST]abc", true},
		{"CheckPizzaFunctionRole", "logs:PutLogEvents", "arn:aws:logs" + arnPrefix + "log-group:/aws/vendedlogs/states/test-stack-Pizza:log-stream:s", false},
		{"CheckPizzaFunctionRole", "lambda:InvokeFunction", checkPizza, false},
		{"PublishMediumFunctionRole", "secretsmanager:GetSecretValue", "arn:aws:secretsmanager" + arnPrefix + "secret:blog-publishing/medium-AbC123", true},
		{"PublishMediumFunctionRole", "secretsmanager:GetSecretValue", "arn:aws:secretsmanager" + arnPrefix + "secret:blog-publishing/devto-AbC123", false},
		{"PublishMediumFunctionRole", "s3:PutObject", "arn:aws:s3:::ledgerbucket/posts/1.json", true},
		{"PublishMediumFunctionRole", "s3:ListBucket", "arn:aws:s3:::ledgerbucket", true},
		{"ProcessUploadFunctionRole", "s3:PutObject", "arn:aws:s3:::uploadsbucket/a.txt", false},
		{"UploadAlarmStateMachineRole", "sns:Publish", "arn:aws:sns" + arnPrefix + "AlarmTopic", true},
		{"UploadAlarmStateMachineRole", "kms:Decrypt", "arn:aws:kms" + arnPrefix + "key/alarmkey", true},
		{"NewTextObjectRuleRole", "states:StartExecution", "arn:aws:states" + arnPrefix + "stateMachine:UploadAlarmStateMachine", true},
	} {
		d, err := svc.Evaluate(ctx, identity.RoleArn("/", c.role), c.action, c.resource, nil)
		require.NoError(t, err)
		assert.Equal(t, c.allowed, d.Allowed, "%s %s on %s: %s", c.role, c.action, c.resource, d.Reason)
	}
}
