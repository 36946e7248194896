package functions

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/stepforge/stepforge/pkg/localcloud"
)

// The patterns and limits of Lambda's service model (API 2015-03-31),
// which Lambda checks before anything else and reports as a
// ValidationException naming the member in camel case.
const (
	patFunctionName   = `(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?`
	patNamespacedName = `(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?`
	patRole           = `arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+`
	patHandler        = `[^\s]+`
	patAction         = `(lambda:[*]|lambda:[a-zA-Z]+|[*])`
	patPrincipal      = `[^\s]+`
	patStatementID    = `([a-zA-Z0-9-_]+)`
	patNamespacedSid  = `([a-zA-Z0-9-_.]+)`
	patSourceArn      = `arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)`
	patSourceAccount  = `\d{12}`
	patEventToken     = `[a-zA-Z0-9._\-]+`
	patPrincipalOrgID = `o-[a-z0-9]{10,32}`
	patKMSKeyArn      = `(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()`
	patLogGroup       = `[\.\-_/#A-Za-z0-9]+`
	patEnvName        = `[a-zA-Z]([a-zA-Z0-9_])+`
	patTaggable       = `arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:(function:[a-zA-Z0-9-_]+(:(\$LATEST|[a-zA-Z0-9-_]+))?|code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9-_]+)`
)

var compiled = map[string]*regexp.Regexp{}

func init() {
	for _, p := range []string{patFunctionName, patNamespacedName, patRole, patHandler, patAction, patPrincipal,
		patStatementID, patNamespacedSid, patSourceArn, patSourceAccount, patEventToken, patPrincipalOrgID,
		patKMSKeyArn, patLogGroup, patEnvName, patTaggable} {
		compiled[p] = regexp.MustCompile(`^(?:` + p + `)$`)
	}
}

// Runtimes are the Runtime enum of the service model.
var runtimes = map[string]bool{}

func init() {
	for _, r := range strings.Fields(`nodejs nodejs4.3 nodejs6.10 nodejs8.10 nodejs10.x nodejs12.x nodejs14.x nodejs16.x
		java8 java8.al2 java11 python2.7 python3.6 python3.7 python3.8 python3.9 dotnetcore1.0 dotnetcore2.0
		dotnetcore2.1 dotnetcore3.1 dotnet6 dotnet8 nodejs4.3-edge go1.x ruby2.5 ruby2.7 provided provided.al2
		nodejs18.x python3.10 java17 ruby3.2 ruby3.3 ruby3.4 python3.11 nodejs20.x provided.al2023 python3.12
		java21 python3.13 nodejs22.x nodejs24.x python3.14 java25 dotnet10 ruby4.0`) {
		runtimes[r] = true
	}
}

// runtimeList is the enum as Lambda's validation message prints it.
const runtimeList = "[nodejs, nodejs4.3, nodejs6.10, nodejs8.10, nodejs10.x, nodejs12.x, nodejs14.x, nodejs16.x, java8, java8.al2, java11, python2.7, python3.6, python3.7, python3.8, python3.9, dotnetcore1.0, dotnetcore2.0, dotnetcore2.1, dotnetcore3.1, dotnet6, dotnet8, nodejs4.3-edge, go1.x, ruby2.5, ruby2.7, provided, provided.al2, nodejs18.x, python3.10, java17, ruby3.2, ruby3.3, ruby3.4, python3.11, nodejs20.x, provided.al2023, python3.12, java21, python3.13, nodejs22.x, nodejs24.x, python3.14, java25, dotnet10, ruby4.0]"

// deprecated are the runtimes Lambda no longer creates or updates
// functions with, and what it recommends instead.
var deprecated = map[string]string{
	"nodejs": "nodejs22.x", "nodejs4.3": "nodejs22.x", "nodejs6.10": "nodejs22.x", "nodejs8.10": "nodejs22.x",
	"nodejs10.x": "nodejs22.x", "nodejs12.x": "nodejs22.x", "nodejs14.x": "nodejs22.x", "nodejs16.x": "nodejs22.x",
	"nodejs4.3-edge": "nodejs22.x", "python2.7": "python3.13", "python3.6": "python3.13", "python3.7": "python3.13",
	"python3.8": "python3.13", "dotnetcore1.0": "dotnet8", "dotnetcore2.0": "dotnet8", "dotnetcore2.1": "dotnet8",
	"dotnetcore3.1": "dotnet8", "dotnet6": "dotnet8", "ruby2.5": "ruby3.3", "ruby2.7": "ruby3.3",
	"go1.x": "provided.al2023", "provided": "provided.al2023", "java8": "java21",
}

// validation gathers constraint failures the way Lambda reports them: "N
// validation error(s) detected: Value 'x' at 'member' failed to satisfy
// constraint: ...; Value ...".
type validation []string

func (v *validation) add(value any, member, constraint string) {
	*v = append(*v, fmt.Sprintf("Value '%v' at '%s' failed to satisfy constraint: %s", value, member, constraint))
}

func (v *validation) pattern(value, member, pattern string) {
	if !compiled[pattern].MatchString(value) {
		v.add(value, member, "Member must satisfy regular expression pattern: "+pattern)
	}
}

func (v *validation) length(value, member string, min, max int) {
	if n := len([]rune(value)); n < min {
		v.add(value, member, fmt.Sprintf("Member must have length greater than or equal to %d", min))
	} else if max > 0 && n > max {
		v.add(value, member, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
}

func (v *validation) between(value int, member string, min, max int) {
	if value < min {
		v.add(value, member, fmt.Sprintf("Member must have value greater than or equal to %d", min))
	} else if value > max {
		v.add(value, member, fmt.Sprintf("Member must have value less than or equal to %d", max))
	}
}

func (v *validation) enum(value, member string, allowed ...string) {
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	v.add(value, member, "Member must satisfy enum value set: ["+strings.Join(allowed, ", ")+"]")
}

func (v *validation) enumErr(value, member string, allowed ...string) error {
	v.enum(value, member, allowed...)
	return v.err()
}

func (v validation) err() error {
	if len(v) == 0 {
		return nil
	}
	s := "s"
	if len(v) == 1 {
		s = ""
	}
	return &localcloud.Error{Code: "ValidationException", Status: http.StatusBadRequest,
		Message: fmt.Sprintf("%d validation error%s detected: %s", len(v), s, strings.Join(v, "; "))}
}

func invalidParameter(format string, args ...any) error {
	return &localcloud.Error{Code: "InvalidParameterValueException", Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

func notFound(message string) error {
	return &localcloud.Error{Code: "ResourceNotFoundException", Status: http.StatusNotFound, Message: message}
}

func conflict(message string) error {
	return &localcloud.Error{Code: "ResourceConflictException", Status: http.StatusConflict, Message: message}
}

func preconditionFailed() error {
	return &localcloud.Error{Code: "PreconditionFailedException", Status: http.StatusPreconditionFailed,
		Message: "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"}
}

// unsupported is how the local cloud refuses a Lambda feature it does not
// emulate: loudly, by name, never pretending it took effect.
func unsupported(feature string) error {
	return invalidParameter("The local cloud does not support %s.", feature)
}

// reservedEnv are the environment variables Lambda sets itself and
// refuses to let a function configure.
var reservedEnv = map[string]bool{
	"_HANDLER": true, "_X_AMZN_TRACE_ID": true, "AWS_DEFAULT_REGION": true, "AWS_REGION": true,
	"AWS_EXECUTION_ENV": true, "AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true,
	"AWS_LAMBDA_FUNCTION_VERSION": true, "AWS_LAMBDA_INITIALIZATION_TYPE": true, "AWS_LAMBDA_LOG_GROUP_NAME": true,
	"AWS_LAMBDA_LOG_STREAM_NAME": true, "AWS_ACCESS_KEY": true, "AWS_ACCESS_KEY_ID": true,
	"AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true, "AWS_LAMBDA_RUNTIME_API": true,
	"LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true,
}
