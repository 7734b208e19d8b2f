"""協働・共創 intake assistant: the application package."""
