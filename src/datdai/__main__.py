from datdai.apps.cli import main

main()
