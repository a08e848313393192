"""Mail from outside: replies and new tickets by e-mail."""
