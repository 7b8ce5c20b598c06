package bench

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func init() {
	gin.SetMode(gin.ReleaseMode)
	register(Framework{
		Name: "gin",
		Router: func(routes []Route, rec *Recorder) http.Handler {
			e := gin.New()
			for i, r := range routes {
				e.Handle(r.Method, r.Path, ginHandler(i, r.Names, rec))
			}
			return e
		},
		Hello: func() http.Handler {
			e := gin.New()
			e.GET("/", func(c *gin.Context) { c.String(200, helloBody) })
			return e
		},
		JSON: func() http.Handler {
			e := gin.New()
			e.GET("/json", func(c *gin.Context) { c.JSON(200, message) })
			return e
		},
		Middleware5: func() http.Handler {
			e := gin.New()
			for range 5 {
				e.Use(func(c *gin.Context) { c.Next() })
			}
			e.GET("/", func(c *gin.Context) { c.String(200, helloBody) })
			return e
		},
		Bind: func(seen *Signup) http.Handler {
			e := gin.New()
			e.POST("/bind", func(c *gin.Context) {
				var in Signup
				if err := c.ShouldBindJSON(&in); err != nil {
					c.AbortWithStatus(400)
					return
				}
				if seen != nil {
					*seen = in
				}
				c.Status(204)
			})
			return e
		},
	})
}

func ginHandler(i int, names []string, rec *Recorder) gin.HandlerFunc {
	if rec == nil {
		return func(c *gin.Context) {}
	}
	return func(c *gin.Context) { rec.Record(i, names, c.Param) }
}
