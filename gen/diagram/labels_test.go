package diagram

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/stepforge/stepforge/pkg/asl"
)

func TestNamesWithMermaidSyntaxAreEscaped(t *testing.T) {
	tests := []struct{ name, label string }{
		{`Say "hi"`, `"Say #quot;hi#quot;"`},
		{"Order #5", `"Order #35;5"`},
		{"a < b > c", `"a #lt; b #gt; c"`},
		{"yes | no", `"yes #124; no"`},
		{"Fish & Chips", `"Fish #amp; Chips"`},
		{"`code`", `"#96;code#96;"`},
		{"[x] (y) {z}", `"[x] (y) {z}"`},
		{"two\nlines", `"two lines"`},
		{"direction LR", `"#100;irection LR"`},
		{"$$.Map.Item.Value", `"$#36;.Map.Item.Value"`},
		{"100%% sure", `"100%#37; sure"`},
		{"Ünïcode ✓", `"Ünïcode ✓"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.label, label(tt.name))
			m := &asl.StateMachine{StartAt: tt.name, States: asl.States{&asl.Succeed{Name: tt.name}}}
			assert.Contains(t, draw(t, m), "("+"["+tt.label+"])")
		})
	}
}

func TestNamesBecomeValidUniqueIDs(t *testing.T) {
	tests := []struct {
		desc  string
		names []string
		ids   []string
	}{
		{"plain names are kept", []string{"CheckPizza", "make_pizza"}, []string{"CheckPizza", "make_pizza"}},
		{"spaces, dots and dashes become underscores", []string{"Check pizza", "v1.2-beta"}, []string{"Check_pizza", "v1_2_beta"}},
		{"names mapping alike are numbered", []string{"a b", "a-b", "a.b"}, []string{"a_b", "a_b_2", "a_b_3"}},
		{"keywords are prefixed", []string{"end", "style", "classify", "default", "subgraphs"},
			[]string{"s_end", "s_style", "s_classify", "s_default", "s_subgraphs"}},
		{"keywords are case-sensitive", []string{"End", "Style"}, []string{"End", "Style"}},
		{"leading digits are prefixed", []string{"9 lives"}, []string{"s_9_lives"}},
		{"start and finish are taken", []string{"start", "finish"}, []string{"start_2", "finish_2"}},
		{"non-ASCII becomes underscores", []string{"Größe"}, []string{"Gr__e"}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			d := &drawing{used: map[string]bool{startID: true, finishID: true}}
			for i, name := range tt.names {
				assert.Equal(t, tt.ids[i], d.unique(sanitize(name)), name)
			}
		})
	}
}

func TestChoiceRulesReadAsConditions(t *testing.T) {
	tests := []struct {
		rule asl.ChoiceRule
		want string
	}{
		{asl.BooleanEquals("$.containsPineapple", true), "$.containsPineapple == true"},
		{asl.NumericEquals("$.statusCode", 500), "$.statusCode == 500"},
		{asl.NumericLessThanEquals("$.n", 2.5), "$.n <= 2.5"},
		{asl.NumericGreaterThanPath("$.n", "$.max"), "$.n > $.max"},
		{asl.StringEquals("$.kind", "pizza"), `$.kind == "pizza"`},
		{asl.StringGreaterThanEquals("$.kind", "m"), `$.kind >= "m"`},
		{asl.StringMatches("$.file", "*.png"), `$.file matches "*.png"`},
		{asl.TimestampLessThan("$.at", "2025-01-01T00:00:00Z"), `$.at < "2025-01-01T00:00:00Z"`},
		{asl.IsPresent("$.error", true), "$.error is present"},
		{asl.IsNull("$.error", false), "$.error is not null"},
		{asl.Not(asl.IsPresent("$.x", true)), "not ($.x is present)"},
		{asl.And(asl.NumericEquals("$.a", 1), asl.Or(asl.IsString("$.b", true), asl.BooleanEquals("$.c", false))),
			"$.a == 1 and ($.b is string or $.c == false)"},
		{asl.Condition("{% $states.input.statusCode = 500\n   and $attempts < 3 %}"), "$states.input.statusCode = 500 and $attempts < 3"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, condition(tt.rule.Then("Next")))
		})
	}
}

func TestLongConditionsAreCutShort(t *testing.T) {
	rule := asl.Condition("{% $states.input.body.items[price > 100 and category = 'pizza'].count > 3 %}")
	got := abbreviate(condition(rule), edgeTextMax)
	assert.Len(t, []rune(got), edgeTextMax)
	assert.Equal(t, "…", string([]rune(got)[edgeTextMax-1:]))
}

func TestTasksNameTheirIntegrationNeverAnARN(t *testing.T) {
	tests := []struct{ resource, want string }{
		{asl.LambdaInvoke, "Lambda invoke"},
		{asl.SNSPublish, "SNS publish"},
		{"arn:aws:states:::states:startExecution.sync:2", "StartExecution (sync)"},
		{"arn:aws:states:::states:startExecution", "StartExecution"},
		{"arn:aws:states:::lambda:invoke.waitForTaskToken", "Lambda invoke (callback)"},
		{"arn:aws:states:::dynamodb:putItem", "DynamoDB putItem"},
		{"arn:aws:states:::aws-sdk:s3:getObject", "S3 getObject (SDK)"},
		{"arn:aws-cn:states:::sqs:sendMessage", "SQS sendMessage"},
		{"arn:aws:lambda:eu-west-1:123456789012:function:Resize:live", "Lambda Resize"},
		{"arn:aws:states:eu-west-1:123456789012:activity:Approve", "activity Approve"},
		{"arn:aws:ecs:eu-west-1:123456789012:task/x", "ECS"},
		{"${CheckPizzaArn}", "CheckPizzaArn"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, integration(tt.resource))
		})
	}
}

func TestRetriesAreListedOnTheNode(t *testing.T) {
	rs := []asl.Retrier{
		{ErrorEquals: []string{"RateLimited", "PlatformUnavailable"}, MaxAttempts: asl.Int(4)},
		{ErrorEquals: asl.LambdaTransientErrors()},
		{ErrorEquals: []string{asl.ErrorAll}, MaxAttempts: asl.Int(0)},
	}
	assert.Equal(t, []string{
		"retry: RateLimited, PlatformUnavailable ×4",
		"retry: Lambda transient ×3",
		"no retry: any error",
	}, retries(rs))
}

func TestWaitsSayHowLong(t *testing.T) {
	tests := []struct {
		wait asl.Wait
		want string
	}{
		{asl.Wait{Seconds: asl.Int(10)}, "wait 10s"},
		{asl.Wait{Seconds: asl.Int(300)}, "wait 5m"},
		{asl.Wait{Seconds: asl.Int(7200)}, "wait 2h"},
		{asl.Wait{Seconds: asl.Int(90)}, "wait 90s"},
		{asl.Wait{SecondsPath: "$.delay"}, "wait $.delay seconds"},
		{asl.Wait{SecondsExpr: "{% $delay %}"}, "wait $delay seconds"},
		{asl.Wait{TimestampPath: "$.when"}, "wait until $.when"},
		{asl.Wait{Timestamp: "2025-01-01T00:00:00Z"}, "wait until 2025-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, waitText(&tt.wait))
		})
	}
}

func TestFailsShowTheirErrorAndAShortCause(t *testing.T) {
	tests := []struct {
		fail asl.Fail
		want []string
	}{
		{asl.Fail{Name: "RefuseOrder", Error: "Failed To Make Pizza", Cause: "They asked for Pineapple"},
			[]string{"RefuseOrder", "Failed To Make Pizza", "They asked for Pineapple"}},
		{asl.Fail{Name: "UploadFailed", Error: "UploadFailed", Cause: "Processing the upload failed; the alarm was sent."},
			[]string{"UploadFailed"}},
		{asl.Fail{Name: "GiveUp", ErrorPath: "$.error", CausePath: "$.cause"}, []string{"GiveUp", "$.error", "$.cause"}},
		{asl.Fail{Name: "Bare"}, []string{"Bare"}},
	}
	for _, tt := range tests {
		t.Run(tt.fail.Name, func(t *testing.T) {
			assert.Equal(t, tt.want, failLines(&tt.fail))
		})
	}
}
