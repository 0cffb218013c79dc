"""The local web chat page (HTML, JS, CSS shipped as package data)."""
