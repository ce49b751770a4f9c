complete --keep-order --exclusive --command sfhook --arguments "(_SFHOOK_COMPLETE=fish sfhook -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
