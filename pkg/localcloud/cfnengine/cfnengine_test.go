package cfnengine_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stepforge/stepforge/gen"
	"github.com/stepforge/stepforge/pkg/localcloud/cfnengine"
	"github.com/stepforge/stepforge/workflows"
)

func TestTheFiveTemplatesOrderTheirResources(t *testing.T) {
	for _, w := range workflows.All() {
		t.Run(w.Name, func(t *testing.T) {
			st, err := gen.Generate(w)
			require.NoError(t, err)
			tmpl, err := cfnengine.Parse(st.Template)
			require.NoError(t, err)
			deps, err := tmpl.Dependencies()
			require.NoError(t, err)
			waves, err := cfnengine.Order(deps)
			require.NoError(t, err)
			placed := map[string]int{}
			for i, wave := range waves {
				for _, name := range wave {
					placed[name] = i
				}
			}
			require.Len(t, placed, len(tmpl.Resources), "every resource is created once")
			for name, ds := range deps {
				for _, d := range ds {
					assert.Less(t, placed[d], placed[name], "%s needs %s first", name, d)
				}
			}
		})
	}
}

const yamlTemplate = `
Parameters:
  Env: {Type: String}
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub "${AWS::StackName}-${Env}-alarms"
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      Tags:
        - {Key: topic, Value: !Ref Topic}
        - {Key: literal, Value: !Sub "${!NotARef}"}
  Role:
    Type: AWS::IAM::Role
    DependsOn: Queue
    Properties:
      Arn: !GetAtt Queue.Arn
      Count: 0x10
      Name: !Sub
        - "${Local}-${Topic.TopicName}"
        - {Local: x}
`

func TestYAMLShortFormAndDependencies(t *testing.T) {
	tmpl, err := cfnengine.Parse([]byte(yamlTemplate))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"Ref": "Topic"}, tmpl.Resources["Queue"].Properties["Tags"].([]any)[0].(map[string]any)["Value"])
	assert.Equal(t, map[string]any{"Fn::GetAtt": []any{"Queue", "Arn"}}, tmpl.Resources["Role"].Properties["Arn"])
	assert.EqualValues(t, "16", tmpl.Resources["Role"].Properties["Count"], "YAML's 0x10 is the number 16")
	deps, err := tmpl.Dependencies()
	require.NoError(t, err)
	assert.Equal(t, map[string][]string{"Topic": {}, "Queue": {"Topic"}, "Role": {"Queue", "Topic"}}, deps)
	waves, err := cfnengine.Order(deps)
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"Topic"}, {"Queue"}, {"Role"}}, waves)
}

func TestTemplatesAWSRefuses(t *testing.T) {
	for _, c := range []struct{ name, body, want string }{
		{"unresolved", `{"Resources":{"A":{"Type":"AWS::SNS::Topic","Properties":{"X":{"Ref":"Nope"}}}}}`,
			"Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template"},
		{"no resources", `{"Resources":{}}`, "Template format error: At least one Resources member must be defined."},
		{"no type", `{"Resources":{"A":{"Properties":{}}}}`, "Every Resources object must contain a Type member."},
		{"not JSON", `{"Resources":`, "Template format error: JSON not well-formed."},
	} {
		t.Run(c.name, func(t *testing.T) {
			tmpl, err := cfnengine.Parse([]byte(c.body))
			if err == nil {
				_, err = tmpl.Dependencies()
			}
			var fe *cfnengine.FormatError
			require.True(t, errors.As(err, &fe), "%v", err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestACycleIsReportedAsAWSReportsIt(t *testing.T) {
	tmpl, err := cfnengine.Parse([]byte(`{"Resources":{
		"A":{"Type":"T","Properties":{"x":{"Ref":"B"}}},
		"B":{"Type":"T","Properties":{"x":{"Fn::GetAtt":["C","Arn"]}}},
		"C":{"Type":"T","DependsOn":["A"]},
		"D":{"Type":"T","Properties":{"x":{"Fn::Sub":"${A}"}}},
		"E":{"Type":"T"}}}`))
	require.NoError(t, err)
	deps, err := tmpl.Dependencies()
	require.NoError(t, err)
	_, err = cfnengine.Order(deps)
	assert.EqualError(t, err, "Circular dependency between resources: [A, B, C]", "D waits on the circle but is not on it")
}

func FuzzParseAndOrder(f *testing.F) {
	f.Add([]byte(yamlTemplate))
	f.Add([]byte(`{"Resources":{"A":{"Type":"T","Properties":{"x":{"Ref":"A"}}}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		tmpl, err := cfnengine.Parse(body)
		if err != nil {
			return
		}
		deps, err := tmpl.Dependencies()
		if err != nil {
			return
		}
		_, _ = cfnengine.Order(deps)
	})
}

func TestAYAMLAliasBombIsRefused(t *testing.T) {
	body := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h"} {
		body += n + ": &" + n + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n"
		prev = n
	}
	body += "Resources: {R: {Type: T, Properties: {x: *h}}}\n"
	_, err := cfnengine.Parse([]byte(body))
	assert.ErrorContains(t, err, "too many values")
}
