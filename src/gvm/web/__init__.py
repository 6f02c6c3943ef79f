"""The web pages: server-rendered Jinja2 templates (autoescaped) with HTMX partials
(`_thing.html`), over the same services and permissions as the API. Pages never touch
storage; every page declares its one permission with gvm.web.deps.require."""
