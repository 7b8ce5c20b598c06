package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/flagon-go/flagon"
	"github.com/flagon-go/flagon/internal/browsertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// probePage loads the site in a same-origin frame, as a visitor would:
// it reads what the browser shows (computed styles from the static
// stylesheet, the layout's blocks), signs the guestbook through the form,
// then visits the about page, and writes what it saw as JSON into #out.
const probePage = `<!doctype html>
<div id="out">pending</div>
<iframe id="f" src="/" width="800" height="600"></iframe>
<script>
const f = document.getElementById("f");
const seen = {};
let step = 0;
f.onload = () => {
  const d = f.contentDocument, w = f.contentWindow;
  const flash = d.querySelector(".flash");
  if (step === 0) {
    seen.title = d.title;
    seen.headerBackground = w.getComputedStyle(d.querySelector("header")).backgroundColor;
    seen.bodyBackground = w.getComputedStyle(d.body).backgroundColor;
    seen.before = d.querySelector(".entries").textContent.trim();
    seen.flashBefore = !!flash;
    step = 1;
    d.querySelector("input[name=name]").value = "Ada <script>";
    d.querySelector("input[name=message]").value = "Hello & welcome";
    d.querySelector("form").submit();
  } else if (step === 1) {
    seen.path = w.location.pathname;
    seen.flash = flash ? flash.className + "|" + flash.textContent : "";
    seen.flashBackground = flash ? w.getComputedStyle(flash).backgroundColor : "";
    seen.entry = d.querySelector(".entries li").innerHTML;
    step = 2;
    w.location.href = d.querySelector("nav a:last-child").href;
  } else if (step === 2) {
    seen.aboutTitle = d.title;
    seen.aboutFooter = d.querySelector("footer").textContent;
    seen.flashAfter = !!flash;
    document.getElementById("out").textContent = JSON.stringify(seen);
  }
};
</script>`

func TestTheSiteWorksInARealBrowser(t *testing.T) {
	chromium := browsertest.Chromium(t)
	app := newApp()
	app.Config.SecretKey = "test key"
	app.Config.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	app.Get("/_probe", func(c *flagon.Context) error { return c.HTML(200, probePage) })
	srv := httptest.NewServer(app)
	defer srv.Close()

	var seen map[string]any
	browsertest.Results(t, chromium, srv.URL+"/_probe", &seen)

	assert.Equal(t, "Guestbook · Flagon", seen["title"], "the layout's title block keeps its default")
	assert.Equal(t, "rgb(30, 58, 95)", seen["headerBackground"], "the stylesheet from {{static}} is applied")
	assert.Equal(t, "rgb(250, 246, 236)", seen["bodyBackground"])
	assert.Equal(t, "No one has signed yet.", seen["before"])
	assert.Equal(t, false, seen["flashBefore"])
	assert.Equal(t, "/", seen["path"], "the form posts and redirects back to the index")
	assert.Equal(t, "flash success|Thanks for signing, Ada <script>!", seen["flash"])
	assert.Equal(t, "rgb(212, 237, 218)", seen["flashBackground"])
	assert.Equal(t, "<b>Ada &lt;script&gt;</b>: Hello &amp; welcome", seen["entry"], "what visitors type is escaped")
	assert.Equal(t, "About · Flagon", seen["aboutTitle"], "a page fills the title block")
	assert.Equal(t, "Made with templates, layouts and url_for", seen["aboutFooter"])
	assert.Equal(t, false, seen["flashAfter"], "a flash message shows once")
}

func TestSigningWithoutTheFormsTokenIsRefused(t *testing.T) {
	app := newApp()
	app.Config.SecretKey = "test key"
	app.Config.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(app)
	defer srv.Close()
	res, err := http.PostForm(srv.URL+"/sign", url.Values{"name": {"Mallory"}, "message": {"hi"}})
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, 403, res.StatusCode)

	res, err = http.Get(srv.URL + "/")
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.False(t, strings.Contains(string(b), "Mallory"))
}
