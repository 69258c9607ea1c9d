"""The live pipeline: recording events (`log`), each declared once (`declared`), rendered for a
recipient from the facts as they are now (`render`), published to the sockets' groups after
commit (`publish`), and replayed on `resume` (`replay`). `consumers/` is the socket side."""
