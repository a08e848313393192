Accessibility: the CC address inputs have labels, the message editor's frame
has a title, and the browser tests check the screens with axe-core.
