package bench

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

// humaSignup is Signup for Huma, whose JSON Schema validator reads its own
// tags, not validator/v10's. Each field states the rule of Signup's
// validate tag; Huma makes every field required unless told otherwise.
//
//	name     required,min=2,max=64   required, minLength:2, maxLength:64 (both count runes)
//	email    required,email          required, format:email (net/mail.ParseAddress, not validator's regex)
//	age      gte=18,lte=130          required (a missing age binds 0 and fails gte=18), minimum:18, maximum:130
//	country  required,len=2          required, minLength:2, maxLength:2
//	city     required                required, minLength:1 (required refuses "")
//	zip      required,numeric        required, validator's numeric regex as pattern
//	phone    omitempty,e164          optional, validator's e164 regex as pattern, or ""
//	website  omitempty,url           optional, format:uri (url.Parse) and a pattern for the scheme and host validator's url wants, or ""
//	tags     max=5,dive,required     optional (nil passes max=5), maxItems:5, minLength:1 on each item
//	newsletter                       optional
//
// The _ field lets unknown keys through, as encoding/json does for Flagon
// and Gin (Huma refuses them by default).
type humaSignup struct {
	_          struct{} `additionalProperties:"true"`
	Name       string   `json:"name" minLength:"2" maxLength:"64"`
	Email      string   `json:"email" format:"email"`
	Age        int      `json:"age" minimum:"18" maximum:"130"`
	Country    string   `json:"country" minLength:"2" maxLength:"2"`
	City       string   `json:"city" minLength:"1"`
	Zip        string   `json:"zip" pattern:"^[-+]?[0-9]+(?:\\.[0-9]+)?$"`
	Phone      string   `json:"phone" required:"false" pattern:"^$|^\\+?[1-9][0-9]{7,14}$"`
	Website    string   `json:"website" required:"false" format:"uri" pattern:"^$|^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]"`
	Tags       []string `json:"tags" required:"false" maxItems:"5" minLength:"1"`
	Newsletter bool     `json:"newsletter" required:"false"`
}

type humaSignupInput struct {
	Body humaSignup
}

type humaWelcomeOutput struct {
	Body *Welcome
}

// humaConfig is Huma's default configuration less what makes its answer
// differ from the others' or its mux hold more routes: the create hook
// that adds a $schema property and a Link header to every answer, and the
// OpenAPI, docs and schema routes.
func humaConfig() huma.Config {
	config := huma.DefaultConfig("bench", "1.0.0")
	config.CreateHooks = nil
	config.OpenAPIPath = ""
	config.DocsPath = ""
	config.SchemasPath = ""
	return config
}

// registerHumaBind registers POST /bind, the typed workload's operation,
// on a Huma API.
func registerHumaBind(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "bind",
		Method:      http.MethodPost,
		Path:        "/bind",
	}, func(ctx context.Context, in *humaSignupInput) (*humaWelcomeOutput, error) {
		return &humaWelcomeOutput{Body: &Welcome{Name: in.Body.Name, Email: in.Body.Email, Tags: in.Body.Tags}}, nil
	})
}

// humaServeMux is the typed workload's operation in Huma served by humago
// on a standard ServeMux (Go 1.22 patterns): of Huma's net/http adapters
// the one that costs least here (humahttprouter took the same time and
// 13 B/op more).
func humaServeMux() http.Handler {
	mux := http.NewServeMux()
	registerHumaBind(humago.New(mux, humaConfig()))
	return mux
}
