package integration

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// webhookSecret signs the test's Sanity webhooks.
const webhookSecret = "integration-webhook-secret"

// seed creates the secrets the blog workflow reads, as `go run mage.go
// secrets` does from workflows/params/secrets.local.json.
func seed(ctx context.Context, s *system) error {
	secrets := map[string]any{
		"sanity-cms":               map[string]string{"SANITY_PROJECT_ID": "integration", "SANITY_DATASET": "production", "SANITY_WEBHOOK_SECRET": webhookSecret},
		"blog-publishing/medium":   map[string]string{"MEDIUM_TOKEN": "integration-medium-token"},
		"blog-publishing/devto":    map[string]string{"DEVTO_API_KEY": "integration-devto-key"},
		"blog-publishing/hashnode": map[string]string{"HASHNODE_TOKEN": "integration-hashnode-token", "HASHNODE_PUBLICATION_ID": "integration-publication"},
	}
	client := secretsmanager.NewFromConfig(s.cfg)
	for name, v := range secrets {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if _, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(string(b))}); err != nil {
			return err
		}
	}
	return nil
}
