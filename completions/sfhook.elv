
set edit:completion:arg-completer[sfhook] = { |@words|
    var index = (count $words)
    set index = (- $index 1)

    put (env _CLAP_IFS="\n" _CLAP_COMPLETE_INDEX=(to-string $index) _SFHOOK_COMPLETE="elvish" sfhook -- $@words) | to-lines
}

