package bot

// ParseCommand exposes parseCommand to the external fuzz tests.
var ParseCommand = parseCommand
