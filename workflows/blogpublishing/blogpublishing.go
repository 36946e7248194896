// Package blogpublishing declares the blog publishing workflow (seed 002): a
// Sanity CMS webhook reaches an initiator function through a REST API; the
// initiator verifies, transforms and enriches the post and starts a Standard
// state machine that publishes it to Medium, Dev.to and Hashnode and indexes
// it in OpenSearch, in parallel. Each platform retries its transient errors
// and a platform that still fails does not stop the others; when any platform
// failed for good the execution ends FAILED naming them, so it alarms and can
// be redriven. A platform that is not configured is skipped, not failed.
package blogpublishing

import (
	"github.com/stepforge/stepforge/pkg/asl"
	"github.com/stepforge/stepforge/pkg/blog"
	"github.com/stepforge/stepforge/pkg/workflow"
)

// PublishFailed is the error an execution ends with when at least one
// platform failed after its retries; the cause names them.
const PublishFailed = "PublishFailed"

// Workflow returns the declaration.
func Workflow() *workflow.Workflow {
	sanity := &workflow.Secret{Name: "Sanity", Default: "sanity-cms", Description: "Sanity project, dataset, webhook secret and optional token."}
	medium := &workflow.Secret{Name: "Medium", Default: "blog-publishing/medium", Description: "Medium integration token."}
	devto := &workflow.Secret{Name: "Devto", Default: "blog-publishing/devto", Description: "Dev.to API key."}
	hashnode := &workflow.Secret{Name: "Hashnode", Default: "blog-publishing/hashnode", Description: "Hashnode token and publication id."}
	siteURL := &workflow.Parameter{Name: "SiteUrl", Description: "The blog's own base URL; posts' canonical URLs are built from it.", AllowedPattern: `^https?://.+`}
	// A stack without a domain leaves the endpoint empty: the indexing
	// step then skips every post, which is not a failure.
	searchEndpoint := &workflow.Parameter{Name: "OpenSearchEndpoint", Optional: true, Description: "Endpoint of the OpenSearch Service domain that indexes the posts; empty skips indexing."}
	searchDomain := &workflow.Parameter{Name: "OpenSearchDomainName", Default: "none", Description: "Name of that OpenSearch Service domain (its role may index into it only).", AllowedPattern: `^[a-z][a-z0-9-]{2,27}$`}
	// The platforms' API base URLs are parameters only so that a local
	// deploy can point the functions at stand-ins (pkg/standin); empty, as
	// on AWS, leaves each function on its platform's real endpoint.
	sanityURL := apiURL("SanityApiUrl", "Sanity query API base URL; empty means https://<projectId>.api.sanity.io.")
	mediumURL := apiURL("MediumApiUrl", "Medium REST API base URL; empty means https://api.medium.com/v1.")
	devtoURL := apiURL("DevtoApiUrl", "Dev.to (Forem) API base URL; empty means https://dev.to/api.")
	hashnodeURL := apiURL("HashnodeApiUrl", "Hashnode GraphQL endpoint; empty means https://gql-beta.hashnode.com.")

	// Medium can neither update nor look up a post, so the publisher keeps a
	// record per post of what it published there; losing one would publish
	// the post again, so the records outlive the stack.
	ledger := &workflow.Bucket{Name: "Ledger"}

	publishers := []*workflow.Function{
		{Name: "PublishMedium", Handler: "publishmedium", Description: "Cross-posts a blog post to Medium, once.", Timeout: 30e9,
			Env: map[string]workflow.Value{
				"MEDIUM_SECRET_ID":     workflow.SecretName{Secret: medium},
				"MEDIUM_LEDGER_BUCKET": workflow.Ref(ledger),
				"MEDIUM_LEDGER_PREFIX": workflow.Literal("medium/"),
				"MEDIUM_API_URL":       workflow.Ref(mediumURL),
			},
			ReadsSecrets: []*workflow.Secret{medium}, WritesBuckets: []*workflow.Bucket{ledger}},
		{Name: "PublishDevto", Handler: "publishdevto", Description: "Cross-posts a blog post to Dev.to.", Timeout: 30e9,
			Env: map[string]workflow.Value{"DEVTO_SECRET_ID": workflow.SecretName{Secret: devto}, "DEVTO_API_URL": workflow.Ref(devtoURL)}, ReadsSecrets: []*workflow.Secret{devto}},
		{Name: "PublishHashnode", Handler: "publishhashnode", Description: "Publishes a blog post to a Hashnode publication.", Timeout: 30e9,
			Env: map[string]workflow.Value{"HASHNODE_SECRET_ID": workflow.SecretName{Secret: hashnode}, "HASHNODE_API_URL": workflow.Ref(hashnodeURL)}, ReadsSecrets: []*workflow.Secret{hashnode}},
		{Name: "IndexOpenSearch", Handler: "indexopensearch", Description: "Indexes a blog post in OpenSearch.", Timeout: 30e9,
			Env: map[string]workflow.Value{"OPENSEARCH_ENDPOINT": workflow.Ref(searchEndpoint), "OPENSEARCH_INDEX": workflow.Literal("posts")},
			Grants: []workflow.Grant{{
				Actions:   []string{"es:ESHttpPut"},
				Resources: []workflow.Value{workflow.Sub("arn:${AWS::Partition}:es:${AWS::Region}:${AWS::AccountId}:domain/${OpenSearchDomainName}/posts/_doc/*")},
			}}},
	}
	platforms := []string{"Medium", "Devto", "Hashnode", "OpenSearch"}
	var branches []asl.Branch
	for i, fn := range publishers {
		var extra []asl.Retrier
		if fn.Handler == "publishmedium" {
			extra = mediumRetries()
		}
		branches = append(branches, publishBranch(platforms[i], fn, extra...))
	}
	machine := &workflow.StateMachine{
		Name: "BlogPublishing",
		Type: workflow.Standard,
		Definition: &asl.StateMachine{
			Comment: "Publishes a blog post to Medium, Dev.to and Hashnode and indexes it in OpenSearch, in parallel.",
			StartAt: "PublishEverywhere",
			States: asl.States{
				&asl.Parallel{Name: "PublishEverywhere", Branches: branches, Next: "CountFailures"},
				&asl.Pass{
					Name:    "CountFailures",
					Comment: "Each branch ends with its platform's result; a failed one carries failed: true.",
					Parameters: asl.Object{
						"results.$": "$",
						"failed.$":  "$[?(@.failed == true)].platform",
					},
					Next: "AnyPlatformFailed",
				},
				&asl.Choice{
					Name:    "AnyPlatformFailed",
					Choices: []asl.ChoiceRule{asl.IsPresent("$.failed[0]", true).Then("PublishFailed")},
					Default: "Published",
				},
				&asl.Fail{
					Name:      "PublishFailed",
					Error:     PublishFailed,
					CausePath: "States.Format('Publishing failed for good on {}; results: {}', States.JsonToString($.failed), States.JsonToString($.results))",
				},
				&asl.Succeed{Name: "Published"},
			},
		},
		Logging: &workflow.Logging{Level: "ALL", RetentionDays: 30},
		Tracing: true,
	}
	initiator := &workflow.Function{
		Name:        "WebhookInitiator",
		Handler:     "webhookinitiator",
		Description: "Verifies a Sanity webhook, builds the blog post and starts the publishing state machine.",
		Timeout:     15e9,
		MemoryMB:    256,
		Env: map[string]workflow.Value{
			"STATE_MACHINE_ARN": machine.ARN(),
			"SANITY_SECRET_ID":  workflow.SecretName{Secret: sanity},
			"SITE_URL":          workflow.Ref(siteURL),
			"SANITY_API_URL":    workflow.Ref(sanityURL),
		},
		ReadsSecrets:   []*workflow.Secret{sanity},
		StartsMachines: []*workflow.StateMachine{machine},
	}
	return &workflow.Workflow{
		Name:        "blog-publishing",
		Title:       "Blog publishing",
		Description: "A Sanity webhook starts a Standard state machine that cross-posts to Medium, Dev.to and Hashnode and indexes in OpenSearch.",
		Seed:        "002-webhook-initiator-blog-publish",
		Parameters:  []*workflow.Parameter{siteURL, searchEndpoint, searchDomain, sanityURL, mediumURL, devtoURL, hashnodeURL},
		Secrets:     []*workflow.Secret{sanity, medium, devto, hashnode},
		Buckets:     []*workflow.Bucket{ledger},
		Functions:   append([]*workflow.Function{initiator}, publishers...),
		Machines:    []*workflow.StateMachine{machine},
		RestAPIs: []*workflow.RestAPI{{
			Name:   "SanityEvent",
			Stage:  "Prod",
			Routes: []workflow.RestRoute{{Method: "POST", Path: "/webhook", Function: initiator}},
		}},
	}
}

// apiURL is an optional parameter holding a platform's API base URL: empty or
// an http(s) URL, as the functions' envconfig.BaseURL accepts it.
func apiURL(name, description string) *workflow.Parameter {
	return &workflow.Parameter{Name: name, Optional: true, Description: description, AllowedPattern: `^(https?://.+)?$`}
}

// publishBranch publishes to one platform. Rate limits and outages are
// retried with backoff; any error left is caught and turned into a result
// naming the platform and marked failed, so the Parallel state still
// completes every other platform before the machine decides how to end.
func publishBranch(platform string, fn *workflow.Function, extra ...asl.Retrier) asl.Branch {
	task := workflow.Invoke("Publish"+platform, fn)
	task.Retry = append(task.Retry, extra...)
	task.Retry = append(task.Retry, asl.Retrier{
		ErrorEquals:     blog.RetryableErrors(),
		IntervalSeconds: asl.Int(5),
		MaxAttempts:     asl.Int(4),
		BackoffRate:     asl.Float(2),
		MaxDelaySeconds: asl.Int(60),
		JitterStrategy:  asl.JitterFull,
	})
	task.Catch = []asl.Catcher{{ErrorEquals: []string{asl.ErrorAll}, ResultPath: "$.error", Next: platform + "Failed"}}
	task.End = true
	return asl.Branch{
		StartAt: task.Name,
		States: asl.States{
			task,
			&asl.Pass{
				Name:       platform + "Failed",
				Parameters: asl.Object{"platform": platform, "failed": true, "error.$": "$.error.Error", "cause.$": "$.error.Cause"},
				End:        true,
			},
		},
	}
}

// mediumRetries are the Medium publisher's own retryable errors: its ledger
// in S3 being unavailable (nothing was sent to Medium yet), and another
// invocation holding the claim on the same post. The holder finishes within
// its 30 s timeout, so that one waits 15, 30 then 60 s, without jitter that
// could make a wait shorter than the holder's run.
func mediumRetries() []asl.Retrier {
	return []asl.Retrier{
		{
			ErrorEquals:     []string{"PublishInProgress"},
			IntervalSeconds: asl.Int(15),
			MaxAttempts:     asl.Int(3),
			BackoffRate:     asl.Float(2),
		},
		{
			ErrorEquals:     []string{"LedgerUnavailable"},
			IntervalSeconds: asl.Int(2),
			MaxAttempts:     asl.Int(4),
			BackoffRate:     asl.Float(2),
			MaxDelaySeconds: asl.Int(30),
			JitterStrategy:  asl.JitterFull,
		},
	}
}
