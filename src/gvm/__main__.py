from gvm.cli.app import main

main()
