package flagon_test

import (
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/flagon-go/flagon"
	"github.com/go-playground/validator/v10"
)

// CreateItem is what a client sends to create an item: the shop from the
// path, a dry-run flag from the query, the rest from the JSON body.
type CreateItem struct {
	Shop   string   `path:"shop"`
	DryRun bool     `query:"dry_run"`
	Name   string   `json:"name" validate:"required,max=40"`
	Price  int      `json:"price" validate:"gt=0"`
	Tags   []string `json:"tags" validate:"max=3"`
	Unit   string   `json:"unit" default:"piece"`
}

func ExampleBind() {
	app := flagon.New()
	app.Post("/shops/<shop>/items", func(c *flagon.Context) error {
		in, err := flagon.Bind[CreateItem](c)
		if err != nil {
			return err // 400, 415 or 422 as problem+json
		}
		return c.Text(201, fmt.Sprintf("%s: %s at %d per %s (dry run: %t)", in.Shop, in.Name, in.Price, in.Unit, in.DryRun))
	})

	tc := app.TestClient()
	res := tc.Post("/shops/corner/items?dry_run=true", "application/json", strings.NewReader(`{"name":"Tea","price":3}`))
	fmt.Println(res.Code, res.Text())

	res = tc.Post("/shops/corner/items", "application/json", strings.NewReader(`{"name":"","price":0}`))
	fmt.Println(res.Code, res.Header.Get("Content-Type"))
	fmt.Println(res.Text())
	// Output:
	// 201 corner: Tea at 3 per piece (dry run: true)
	// 422 application/problem+json
	// {"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"2 fields are invalid.","errors":[{"field":"name","source":"json","rule":"required","message":"is required"},{"field":"price","source":"json","rule":"gt","message":"must be greater than 0"}]}
}

func ExampleContext_BindQuery() {
	type search struct {
		Q     string `query:"q" validate:"required"`
		Page  int    `query:"page" default:"1" validate:"min=1"`
		Sizes []int  `query:"size"`
	}
	app := flagon.New()
	app.Get("/search", func(c *flagon.Context) error {
		var s search
		if err := c.BindQuery(&s); err != nil {
			return err
		}
		return c.Text(200, fmt.Sprintf("%q page %d sizes %v", s.Q, s.Page, s.Sizes))
	})
	tc := app.TestClient()
	fmt.Println(tc.Get("/search?q=tea&size=1&size=2").Text())
	res := tc.Get("/search?q=tea&page=two")
	fmt.Println(res.Code, res.Text())
	// Output:
	// "tea" page 1 sizes [1 2]
	// 400 {"type":"about:blank","title":"Bad Request","status":400,"detail":"The request data is malformed.","errors":[{"field":"page","source":"query","rule":"type","message":"must be a whole number"}]}
}

func ExampleContext_Form() {
	app := flagon.New()
	app.Post("/login", func(c *flagon.Context) error {
		return c.Text(200, "user="+c.Form("user")+" next="+c.Query("next"))
	})
	req := httptest.NewRequest("POST", "/login?next=/home", strings.NewReader("user=ada"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	fmt.Println(app.TestClient().Do(req).Text())
	// Output: user=ada next=/home
}

func ExampleApp_Validator() {
	type order struct {
		SKU string `json:"sku" validate:"required,sku"`
	}
	app := flagon.New()
	_ = app.Validator().RegisterValidation("sku", func(fl validator.FieldLevel) bool {
		return strings.HasPrefix(fl.Field().String(), "SKU-")
	})
	app.Post("/orders", func(c *flagon.Context) error {
		var o order
		if err := c.BindJSON(&o); err != nil {
			return err
		}
		return c.Text(201, o.SKU)
	})
	flagon.HandleError(app, func(c *flagon.Context, err *flagon.BindError) error {
		// The app's own error format: {"invalid": ["sku"]}.
		var names []string
		for _, f := range err.Fields {
			names = append(names, f.Field)
		}
		return c.JSON(err.Code, flagon.M{"invalid": names})
	})
	tc := app.TestClient()
	fmt.Println(tc.PostJSON("/orders", flagon.M{"sku": "SKU-1"}).Text())
	res := tc.PostJSON("/orders", flagon.M{"sku": "1"})
	fmt.Println(res.Code, strings.TrimSpace(res.Text()))
	// Output:
	// SKU-1
	// 422 {"invalid":["sku"]}
}
