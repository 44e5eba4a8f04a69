from datdai.cli import main

main()
