package states_test

import (
	"testing"
)

// choiceCase runs one rule: the machine ends in state Yes (output "yes")
// when it matches, in No otherwise.
func choiceCase(name, rule, input, want string) machineCase {
	return machineCase{
		name: name + " " + doc + "state-choice.html",
		def: `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[` + rule[:len(rule)-1] + `,"Next":"Yes"}],"Default":"No"},
			"Yes":{"Type":"Pass","Result":"yes","End":true},"No":{"Type":"Pass","Result":"no","End":true}}}`,
		input: input, output: `"` + want + `"`,
	}
}

func TestChoiceOperators(t *testing.T) {
	in := `{"s":"banana","n":15,"f":1.5,"b":true,"t":"2026-01-02T03:04:05Z","null":null,"o":{"s":"banana","n":15,"b":true,"t":"2026-01-02T03:04:05Z","lo":"apple","hi":"cherry","small":3}}`
	runCases(t, []machineCase{
		choiceCase("StringEquals matches", `{"Variable":"$.s","StringEquals":"banana"}`, in, "yes"),
		choiceCase("StringEquals does not match", `{"Variable":"$.s","StringEquals":"apple"}`, in, "no"),
		choiceCase("StringEquals on a number is false", `{"Variable":"$.n","StringEquals":"15"}`, in, "no"),
		choiceCase("StringEqualsPath", `{"Variable":"$.s","StringEqualsPath":"$.o.s"}`, in, "yes"),
		choiceCase("StringLessThan", `{"Variable":"$.s","StringLessThan":"cherry"}`, in, "yes"),
		choiceCase("StringLessThanPath", `{"Variable":"$.s","StringLessThanPath":"$.o.lo"}`, in, "no"),
		choiceCase("StringGreaterThan", `{"Variable":"$.s","StringGreaterThan":"apple"}`, in, "yes"),
		choiceCase("StringGreaterThanPath", `{"Variable":"$.s","StringGreaterThanPath":"$.o.hi"}`, in, "no"),
		choiceCase("StringLessThanEquals", `{"Variable":"$.s","StringLessThanEquals":"banana"}`, in, "yes"),
		choiceCase("StringLessThanEqualsPath", `{"Variable":"$.s","StringLessThanEqualsPath":"$.o.s"}`, in, "yes"),
		choiceCase("StringGreaterThanEquals", `{"Variable":"$.s","StringGreaterThanEquals":"banana"}`, in, "yes"),
		choiceCase("StringGreaterThanEqualsPath", `{"Variable":"$.s","StringGreaterThanEqualsPath":"$.o.hi"}`, in, "no"),
		choiceCase("StringMatches with a star", `{"Variable":"$.s","StringMatches":"b*na"}`, in, "yes"),
		choiceCase("StringMatches whole string only", `{"Variable":"$.s","StringMatches":"ban"}`, in, "no"),
		choiceCase("StringMatches escaped star is literal", `{"Variable":"$.s","StringMatches":"b\\*a"}`, `{"s":"b*a"}`, "yes"),
		choiceCase("StringMatches escaped star needs a star", `{"Variable":"$.s","StringMatches":"b\\*a"}`, `{"s":"bxa"}`, "no"),
		choiceCase("NumericEquals", `{"Variable":"$.n","NumericEquals":15}`, in, "yes"),
		choiceCase("NumericEquals across integer and float", `{"Variable":"$.f","NumericEquals":1.5}`, in, "yes"),
		choiceCase("NumericEquals on a string is false", `{"Variable":"$.s","NumericEquals":15}`, in, "no"),
		choiceCase("NumericEqualsPath", `{"Variable":"$.n","NumericEqualsPath":"$.o.n"}`, in, "yes"),
		choiceCase("NumericLessThan", `{"Variable":"$.n","NumericLessThan":16}`, in, "yes"),
		choiceCase("NumericLessThanPath", `{"Variable":"$.n","NumericLessThanPath":"$.o.small"}`, in, "no"),
		choiceCase("NumericGreaterThan", `{"Variable":"$.n","NumericGreaterThan":15}`, in, "no"),
		choiceCase("NumericGreaterThanPath", `{"Variable":"$.n","NumericGreaterThanPath":"$.o.small"}`, in, "yes"),
		choiceCase("NumericLessThanEquals", `{"Variable":"$.n","NumericLessThanEquals":15}`, in, "yes"),
		choiceCase("NumericLessThanEqualsPath", `{"Variable":"$.n","NumericLessThanEqualsPath":"$.o.n"}`, in, "yes"),
		choiceCase("NumericGreaterThanEquals", `{"Variable":"$.n","NumericGreaterThanEquals":15}`, in, "yes"),
		choiceCase("NumericGreaterThanEqualsPath", `{"Variable":"$.o.small","NumericGreaterThanEqualsPath":"$.n"}`, in, "no"),
		choiceCase("BooleanEquals", `{"Variable":"$.b","BooleanEquals":true}`, in, "yes"),
		choiceCase("BooleanEquals false", `{"Variable":"$.b","BooleanEquals":false}`, in, "no"),
		choiceCase("BooleanEqualsPath", `{"Variable":"$.b","BooleanEqualsPath":"$.o.b"}`, in, "yes"),
		choiceCase("TimestampEquals", `{"Variable":"$.t","TimestampEquals":"2026-01-02T03:04:05Z"}`, in, "yes"),
		choiceCase("TimestampEquals is by instant", `{"Variable":"$.t","TimestampEquals":"2026-01-02T04:04:05+01:00"}`, in, "yes"),
		choiceCase("TimestampEqualsPath", `{"Variable":"$.t","TimestampEqualsPath":"$.o.t"}`, in, "yes"),
		choiceCase("TimestampLessThan", `{"Variable":"$.t","TimestampLessThan":"2026-01-02T03:04:06Z"}`, in, "yes"),
		choiceCase("TimestampLessThanPath", `{"Variable":"$.t","TimestampLessThanPath":"$.o.t"}`, in, "no"),
		choiceCase("TimestampGreaterThan", `{"Variable":"$.t","TimestampGreaterThan":"2026-01-02T03:04:04Z"}`, in, "yes"),
		choiceCase("TimestampGreaterThanPath", `{"Variable":"$.t","TimestampGreaterThanPath":"$.o.t"}`, in, "no"),
		choiceCase("TimestampLessThanEquals", `{"Variable":"$.t","TimestampLessThanEquals":"2026-01-02T03:04:05Z"}`, in, "yes"),
		choiceCase("TimestampLessThanEqualsPath", `{"Variable":"$.t","TimestampLessThanEqualsPath":"$.o.t"}`, in, "yes"),
		choiceCase("TimestampGreaterThanEquals", `{"Variable":"$.t","TimestampGreaterThanEquals":"2026-01-02T03:04:06Z"}`, in, "no"),
		choiceCase("TimestampGreaterThanEqualsPath", `{"Variable":"$.t","TimestampGreaterThanEqualsPath":"$.o.t"}`, in, "yes"),
		choiceCase("IsNull true", `{"Variable":"$.null","IsNull":true}`, in, "yes"),
		choiceCase("IsNull false on null", `{"Variable":"$.null","IsNull":false}`, in, "no"),
		choiceCase("IsNull false on a string", `{"Variable":"$.s","IsNull":false}`, in, "yes"),
		choiceCase("IsPresent true", `{"Variable":"$.s","IsPresent":true}`, in, "yes"),
		choiceCase("IsPresent true on a missing field", `{"Variable":"$.missing","IsPresent":true}`, in, "no"),
		choiceCase("IsPresent false on a missing field", `{"Variable":"$.missing","IsPresent":false}`, in, "yes"),
		choiceCase("IsPresent on null is true", `{"Variable":"$.null","IsPresent":true}`, in, "yes"),
		choiceCase("IsNumeric true", `{"Variable":"$.f","IsNumeric":true}`, in, "yes"),
		choiceCase("IsNumeric false", `{"Variable":"$.s","IsNumeric":false}`, in, "yes"),
		choiceCase("IsString true", `{"Variable":"$.s","IsString":true}`, in, "yes"),
		choiceCase("IsString false on a number", `{"Variable":"$.n","IsString":false}`, in, "yes"),
		choiceCase("IsBoolean true", `{"Variable":"$.b","IsBoolean":true}`, in, "yes"),
		choiceCase("IsBoolean false", `{"Variable":"$.b","IsBoolean":false}`, in, "no"),
		choiceCase("IsTimestamp true", `{"Variable":"$.t","IsTimestamp":true}`, in, "yes"),
		choiceCase("IsTimestamp false on a plain string", `{"Variable":"$.s","IsTimestamp":false}`, in, "yes"),
		choiceCase("And needs every rule", `{"And":[{"Variable":"$.n","NumericGreaterThan":10},{"Variable":"$.s","StringEquals":"apple"}]}`, in, "no"),
		choiceCase("And with all true", `{"And":[{"Variable":"$.n","NumericGreaterThan":10},{"Variable":"$.b","BooleanEquals":true}]}`, in, "yes"),
		choiceCase("Or needs one rule", `{"Or":[{"Variable":"$.n","NumericGreaterThan":100},{"Variable":"$.s","StringEquals":"banana"}]}`, in, "yes"),
		choiceCase("Not negates", `{"Not":{"Variable":"$.s","StringEquals":"banana"}}`, in, "no"),
		choiceCase("Variable reads the context object", `{"Variable":"$$.State.Name","StringEquals":"C"}`, in, "yes"),
		{name: "no rule matching and no Default fails with States.NoChoiceMatched " + doc + "state-choice.html",
			def:   `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericEquals":1,"Next":"Y"}]},"Y":{"Type":"Succeed"}}}`,
			input: in, status: "FAILED", err: "States.NoChoiceMatched"},
		{name: "a comparison on a missing Variable fails with States.Runtime " + doc + "state-choice.html",
			def:   `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.missing","NumericEquals":1,"Next":"Y"}],"Default":"Y"},"Y":{"Type":"Succeed"}}}`,
			input: in, status: "FAILED", err: "States.Runtime"},
		{name: "the Choice output is its input through InputPath and OutputPath " + doc + "state-choice.html",
			def:   `{"StartAt":"C","States":{"C":{"Type":"Choice","InputPath":"$.o","OutputPath":"$.n","Choices":[{"Variable":"$.n","NumericEquals":15,"Next":"Y"}]},"Y":{"Type":"Succeed"}}}`,
			input: in, output: `15`},
	})
}
