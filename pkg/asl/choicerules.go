package asl

// Constructors for comparison rules. Each compares the value at variable
// with a literal or, for the ...Path forms, with the value at another path.
// Chain Then to set the rule's Next:
//
//	asl.NumericEquals("$.statusCode", 500).Then("WaitAndRetry")

// StringEquals matches when the string at variable equals value.
func StringEquals(variable Path, value string) ChoiceRule {
	return ChoiceRule{Variable: variable, StringEquals: &value}
}

// StringEqualsPath matches when the string at variable equals the one at value.
func StringEqualsPath(variable, value Path) ChoiceRule {
	return ChoiceRule{Variable: variable, StringEqualsPath: value}
}

// StringLessThan matches when the string at variable sorts before value.
func StringLessThan(variable Path, value string) ChoiceRule {
	return ChoiceRule{Variable: variable, StringLessThan: &value}
}

// StringLessThanPath matches when the string at variable sorts before the one at value.
func StringLessThanPath(variable, value Path) ChoiceRule {
	return ChoiceRule{Variable: variable, StringLessThanPath: value}
}

// StringGreaterThan matches when the string at variable sorts after value.
func StringGreaterThan(variable Path, value string) ChoiceRule {
	return ChoiceRule{Variable: variable, StringGreaterThan: &value}
}

// StringGreaterThanPath matches when the string at variable sorts after the one at value.
func StringGreaterThanPath(variable, value Path) ChoiceRule {
	return ChoiceRule{Variable: variable, StringGreaterThanPath: value}
}

// StringLessThanEquals matches when the string at variable sorts before or equals value.
func StringLessThanEquals(variable Path, value string) ChoiceRule {
	return ChoiceRule{Variable: variable, StringLessThanEquals: &value}
}

// StringLessThanEqualsPath matches when the string at variable sorts before or equals the one at value.
func StringLessThanEqualsPath(variable, value Path) ChoiceRule {
	return ChoiceRule{Variable: variable, StringLessThanEqualsPath: value}
}

// StringGreaterThanEquals matches when the string at variable sorts after or equals value.
func StringGreaterThanEquals(variable Path, value string) ChoiceRule {
	return ChoiceRule{Variable: variable, StringGreaterThanEquals: &value}
}

// StringGreaterThanEqualsPath matches when the string at variable sorts after or equals the one at value.
func StringGreaterThanEqualsPath(variable, value Path) ChoiceRule {
	return ChoiceRule{Variable: variable, StringGreaterThanEqualsPath: value}
}

// NumericEquals matches when the number at variable equals value.
func NumericEquals(variable Path, value float64) ChoiceRule {
	return ChoiceRule{Variable: variable, NumericEquals: &value}
}

// NumericEqualsPath matches when the number at variable equals the one at value.
func NumericEqualsPath(variable, value Path) ChoiceRule {
	return ChoiceRule{Variable: variable, NumericEqualsPath: value}
}

// NumericLessThan matches when the number at variable is less than value.
func NumericLessThan(variable Path, value float64) ChoiceRule {
	return ChoiceRule{Variable: variable, NumericLessThan: &value}
}

// NumericLessThanPath matches when the number at variable is less than the one at value.
func NumericLessThanPath(variable, value Path) ChoiceRule {
	return ChoiceRule{Variable: variable, NumericLessThanPath: value}
}

// NumericGreaterThan matches when the number at variable is greater than value.
func NumericGreaterThan(variable Path, value float64) ChoiceRule {
	return ChoiceRule{Variable: variable, NumericGreaterThan: &value}
}

// NumericGreaterThanPath matches when the number at variable is greater than the one at value.
func NumericGreaterThanPath(variable, value Path) ChoiceRule {
	return ChoiceRule{Variable: variable, NumericGreaterThanPath: value}
}

// NumericLessThanEquals matches when the number at variable is at most value.
func NumericLessThanEquals(variable Path, value float64) ChoiceRule {
	return ChoiceRule{Variable: variable, NumericLessThanEquals: &value}
}

// NumericLessThanEqualsPath matches when the number at variable is at most the one at value.
func NumericLessThanEqualsPath(variable, value Path) ChoiceRule {
	return ChoiceRule{Variable: variable, NumericLessThanEqualsPath: value}
}

// NumericGreaterThanEquals matches when the number at variable is at least value.
func NumericGreaterThanEquals(variable Path, value float64) ChoiceRule {
	return ChoiceRule{Variable: variable, NumericGreaterThanEquals: &value}
}

// NumericGreaterThanEqualsPath matches when the number at variable is at least the one at value.
func NumericGreaterThanEqualsPath(variable, value Path) ChoiceRule {
	return ChoiceRule{Variable: variable, NumericGreaterThanEqualsPath: value}
}

// BooleanEquals matches when the boolean at variable equals value.
func BooleanEquals(variable Path, value bool) ChoiceRule {
	return ChoiceRule{Variable: variable, BooleanEquals: &value}
}

// BooleanEqualsPath matches when the boolean at variable equals the one at value.
func BooleanEqualsPath(variable, value Path) ChoiceRule {
	return ChoiceRule{Variable: variable, BooleanEqualsPath: value}
}

// TimestampEquals matches when the timestamp at variable is the same instant as value (RFC 3339).
func TimestampEquals(variable Path, value string) ChoiceRule {
	return ChoiceRule{Variable: variable, TimestampEquals: &value}
}

// TimestampEqualsPath matches when the timestamp at variable is the same instant as the one at value.
func TimestampEqualsPath(variable, value Path) ChoiceRule {
	return ChoiceRule{Variable: variable, TimestampEqualsPath: value}
}

// TimestampLessThan matches when the timestamp at variable is before value (RFC 3339).
func TimestampLessThan(variable Path, value string) ChoiceRule {
	return ChoiceRule{Variable: variable, TimestampLessThan: &value}
}

// TimestampLessThanPath matches when the timestamp at variable is before the one at value.
func TimestampLessThanPath(variable, value Path) ChoiceRule {
	return ChoiceRule{Variable: variable, TimestampLessThanPath: value}
}

// TimestampGreaterThan matches when the timestamp at variable is after value (RFC 3339).
func TimestampGreaterThan(variable Path, value string) ChoiceRule {
	return ChoiceRule{Variable: variable, TimestampGreaterThan: &value}
}

// TimestampGreaterThanPath matches when the timestamp at variable is after the one at value.
func TimestampGreaterThanPath(variable, value Path) ChoiceRule {
	return ChoiceRule{Variable: variable, TimestampGreaterThanPath: value}
}

// TimestampLessThanEquals matches when the timestamp at variable is not after value (RFC 3339).
func TimestampLessThanEquals(variable Path, value string) ChoiceRule {
	return ChoiceRule{Variable: variable, TimestampLessThanEquals: &value}
}

// TimestampLessThanEqualsPath matches when the timestamp at variable is not after the one at value.
func TimestampLessThanEqualsPath(variable, value Path) ChoiceRule {
	return ChoiceRule{Variable: variable, TimestampLessThanEqualsPath: value}
}

// TimestampGreaterThanEquals matches when the timestamp at variable is not before value (RFC 3339).
func TimestampGreaterThanEquals(variable Path, value string) ChoiceRule {
	return ChoiceRule{Variable: variable, TimestampGreaterThanEquals: &value}
}

// TimestampGreaterThanEqualsPath matches when the timestamp at variable is not before the one at value.
func TimestampGreaterThanEqualsPath(variable, value Path) ChoiceRule {
	return ChoiceRule{Variable: variable, TimestampGreaterThanEqualsPath: value}
}

// StringMatches matches when the string at variable matches pattern, where
// "*" stands for any run of characters and `\*` for a star.
func StringMatches(variable Path, pattern string) ChoiceRule {
	return ChoiceRule{Variable: variable, StringMatches: &pattern}
}

// IsNull(variable, true) matches when the value at variable is null;
// with false, when it is not.
func IsNull(variable Path, want bool) ChoiceRule {
	return ChoiceRule{Variable: variable, IsNull: &want}
}

// IsPresent(variable, true) matches when the value at variable is present;
// with false, when it is not.
func IsPresent(variable Path, want bool) ChoiceRule {
	return ChoiceRule{Variable: variable, IsPresent: &want}
}

// IsNumeric(variable, true) matches when the value at variable is a number;
// with false, when it is not.
func IsNumeric(variable Path, want bool) ChoiceRule {
	return ChoiceRule{Variable: variable, IsNumeric: &want}
}

// IsString(variable, true) matches when the value at variable is a string;
// with false, when it is not.
func IsString(variable Path, want bool) ChoiceRule {
	return ChoiceRule{Variable: variable, IsString: &want}
}

// IsBoolean(variable, true) matches when the value at variable is a boolean;
// with false, when it is not.
func IsBoolean(variable Path, want bool) ChoiceRule {
	return ChoiceRule{Variable: variable, IsBoolean: &want}
}

// IsTimestamp(variable, true) matches when the value at variable is an RFC 3339 timestamp string;
// with false, when it is not.
func IsTimestamp(variable Path, want bool) ChoiceRule {
	return ChoiceRule{Variable: variable, IsTimestamp: &want}
}

// And matches when every rule matches.
func And(rules ...ChoiceRule) ChoiceRule { return ChoiceRule{And: rules} }

// Or matches when any rule matches.
func Or(rules ...ChoiceRule) ChoiceRule { return ChoiceRule{Or: rules} }

// Not matches when rule does not.
func Not(rule ChoiceRule) ChoiceRule { return ChoiceRule{Not: &rule} }

// Condition is the rule of a JSONata Choice: it matches when expr, a
// "{% ... %}" JSONata expression, evaluates to true.
func Condition(expr string) ChoiceRule { return ChoiceRule{Condition: expr} }
