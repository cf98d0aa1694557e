package main

import "errors"

func benchHTTP(args []string) error   { return errors.New("bench http: not yet") }
func benchWrites(args []string) error { return errors.New("bench writes: not yet") }
