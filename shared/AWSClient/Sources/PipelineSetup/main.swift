print("setup")
