package cfncheck

import "testing"

func TestDefinitionSubstitutionsMatchTheirPlaceholders(t *testing.T) {
	const path = "Resources.Machine.Properties"
	runCases(t, []checkCase{
		{"PlainStringWithAllKeys", stateMachine(`"DefinitionString": "{\"Resource\":\"${FnArn}\",\"Region\":\"${Region}\"}",
			"DefinitionSubstitutions": {"FnArn": {"Fn::GetAtt": ["Fn", "Arn"]}, "Region": {"Ref": "AWS::Region"}}`), nil},
		{"KeyMissing", stateMachine(`"DefinitionString": "{\"Resource\":\"${FnArn}\"}", "DefinitionSubstitutions": {"FunctionArn": {"Fn::GetAtt": ["Fn", "Arn"]}}`),
			[]want{
				{path + ".DefinitionString", "${FnArn} has no DefinitionSubstitutions entry"},
				{path + ".DefinitionSubstitutions.FunctionArn", "not used by the definition"},
			}},
		{"KeyUnused", stateMachine(`"DefinitionString": "{\"Resource\":\"${FnArn}\"}",
			"DefinitionSubstitutions": {"FnArn": {"Fn::GetAtt": ["Fn", "Arn"]}, "TopicArn": "arn:aws:sns:eu-west-1:123456789012:t"}`),
			[]want{{path + ".DefinitionSubstitutions.TopicArn", "not used by the definition"}}},
		{"PseudoParameterInPlainStringIsNotSubstituted", stateMachine(`"DefinitionString": "{\"Region\":\"${AWS::Region}\"}"`),
			[]want{{path + ".DefinitionString", "${AWS::Region} has no DefinitionSubstitutions entry"}}},
		{"SubStringEscapesBecomePlaceholders", stateMachine(`"DefinitionString": {"Fn::Sub": "{\"Resource\":\"${!FnArn}\",\"Region\":\"${AWS::Region}\"}"},
			"DefinitionSubstitutions": {"FnArn": {"Fn::GetAtt": ["Fn", "Arn"]}}`), nil},
		{"SubStringUnescapedKeyIsASubReference", stateMachine(`"DefinitionString": {"Fn::Sub": "{\"Resource\":\"${FnArn}\"}"},
			"DefinitionSubstitutions": {"FnArn": {"Fn::GetAtt": ["Fn", "Arn"]}}`),
			[]want{
				{path + ".DefinitionString.Fn::Sub", `${FnArn}: Ref "FnArn" names no parameter`},
				{path + ".DefinitionSubstitutions.FnArn", "not used by the definition"},
			}},
		{"JoinedStringParts", stateMachine(`"DefinitionString": {"Fn::Join": ["", ["{\"Resource\":\"${FnArn}\",", "\"Next\":\"", {"Ref": "Stage"}, "\"}"]]}`),
			[]want{{path + ".DefinitionString.Fn::Join[1][0]", "${FnArn} has no DefinitionSubstitutions entry"}}},
		{"DefinitionObject", stateMachine(`"Definition": {"StartAt": "Bake", "States": {"Bake": {"Type": "Task", "Resource": "${FnArn}", "End": true}}},
			"DefinitionSubstitutions": {"FnArn": {"Fn::GetAtt": ["Fn", "Arn"]}}`), nil},
		{"DefinitionObjectMayHoldEmptyValuesButNotNull", stateMachine(`"Definition": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {}, "Result": "", "ResultPath": null, "End": true}}}`),
			[]want{{path + ".Definition.States.P.ResultPath", "null is not allowed"}}},
	})
}
