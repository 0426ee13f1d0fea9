"""Example objectives shipped with tunetrack (importable as `module:function` in a spec)."""
